from service.ingest.importer import FORMATS, ImportReport, import_path

__all__ = ["FORMATS", "ImportReport", "import_path"]
