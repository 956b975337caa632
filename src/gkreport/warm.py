"""Imported by the batch's fork server when the batch tags themes (`workers.PRELOAD_THEMES`): jieba's
dictionary and cpca's address tables are loaded there once, and every worker forked from it starts with them,
instead of each worker loading them again (0.2 s and 0.17 s of CPU each)."""

from contextlib import suppress

from gkreport.regions import regions_of
from gkreport.themes.features import loaded_jieba

# Should either fail here, the fork server must still start: each worker loads them again in its warm-up
# (`workers._warm_up`), where a failure is reported.
with suppress(Exception):
    loaded_jieba()
    regions_of(["北京市人民政府"])  # cpca's first lookup builds its tables
