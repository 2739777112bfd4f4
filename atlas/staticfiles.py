"""Static files in production: compressed, with the content hash in every name."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class AtlasStaticFilesStorage(CompressedManifestStaticFilesStorage):
    # The page scripts are ES modules that import each other ("./escape.js"): the imports are
    # rewritten to the hashed names too, so every module is cached as long as the pages' own.
    support_js_module_import_aggregation = True
