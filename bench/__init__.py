"""Benchmarks run by `make bench`: speed targets are measured here, never asserted in tests."""


def client_environment() -> None:
    """What the test client needs (its host allowed, mail kept in memory unless a bench sends it
    by SMTP), without the test runner's instrumented template rendering: that copies every
    template's context for the `template_rendered` signal, a cost production does not pay and
    the tiny template of the bare view hardly pays, which would inflate the pages' ratios."""
    from django.template import Template
    from django.test import utils

    utils.setup_test_environment()
    Template._render = utils._TestState.saved_data.template_render
