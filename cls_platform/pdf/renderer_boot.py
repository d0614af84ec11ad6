"""Imported, for its effect, by the server process that forks the processes rendering a
contract's parts (cls_platform.pdf.parts, multiprocessing's forkserver "preload"): Django set up,
the stylesheets parsed and the fonts loaded there once (and kept out of the cyclic garbage
collector's passes), so that every rendering process forked from it starts at once and lays out
its first part as fast as its last, instead of spending a second (on a quiet machine; several on
a loaded one) setting all of that up at each print.

Any failure here is only logged: the rendering processes set themselves up anyway."""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)

try:
    import django

    django.setup()
    from cls_platform.pdf.rendering import warm_up

    warm_up()
    # What is loaded now lives as long as the processes: kept out of the collector's passes, which
    # then walk only what a document makes (a tenth of a part's rendering time otherwise), and
    # left in the pages the processes share with this one.
    gc.collect()
    gc.freeze()
except Exception:  # an exception would stop the server, and every print with it
    logger.warning("Préchauffage du serveur de rendu PDF impossible.", exc_info=True)
