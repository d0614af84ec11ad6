"""Real-Chromium fixtures (Playwright + axe-core). Filled in by the browser harness work."""
