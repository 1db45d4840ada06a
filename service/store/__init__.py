from service.store.sqlite import HistoryEntry, Store, StoreStats

__all__ = ["HistoryEntry", "Store", "StoreStats"]
