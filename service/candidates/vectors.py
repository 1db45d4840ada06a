"""Item vectors in Chroma: embedded PersistentClient in the data dir by default, an
HttpClient when `RECS_CHROMA_URL` names a Chroma server. We always hand Chroma our own
vectors (its default embedder would download a model)."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from urllib.parse import urlparse

import numpy as np

from service.embed import Embedder
from service.errors import BackendError, InvalidInput
from service.settings import Settings
from service.types import Filters, Item

log = logging.getLogger(__name__)


def _client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "localhost", port=url.port or 8000,
            ssl=url.scheme == "https", settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


def _metadata(item: Item) -> dict:
    """Case-folded attributes in the shapes Chroma accepts (scalars, non-empty str lists)."""
    meta: dict = {"title": item.title}
    for key, val in item.attributes.items():
        if isinstance(val, list):
            vals = [str(v).casefold() for v in val if str(v)]
            if vals:
                meta[f"a_{key}"] = vals
        elif isinstance(val, bool | int | float):
            meta[f"a_{key}"] = val
        elif isinstance(val, str) and val:
            meta[f"a_{key}"] = val.casefold()
    return meta


def chroma_where(filters: Filters, list_attrs: set[str]) -> dict | None:
    """Translate our Filters into a Chroma `where` clause over `_metadata`'s keys."""
    clauses: list[dict] = []
    for name, values in filters.include.items():
        vals = [v.casefold() for v in values]
        if name in list_attrs:
            ors = [{f"a_{name}": {"$contains": v}} for v in vals]
            clauses.append(ors[0] if len(ors) == 1 else {"$or": ors})
        else:
            clauses.append({f"a_{name}": {"$in": vals}})
    for name, values in filters.require.items():
        op = "$contains" if name in list_attrs else "$eq"
        clauses.extend({f"a_{name}": {op: v.casefold()}} for v in dict.fromkeys(values))
    for name, values in filters.exclude.items():
        vals = [v.casefold() for v in values]
        if name in list_attrs:
            clauses.extend({f"a_{name}": {"$not_contains": v}} for v in vals)
        else:
            clauses.append({f"a_{name}": {"$nin": vals}})
    for name, rng in filters.ranges.items():
        if rng.gte is not None:
            clauses.append({f"a_{name}": {"$gte": rng.gte}})
        if rng.lte is not None:
            clauses.append({f"a_{name}": {"$lte": rng.lte}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def collection_name(base: str, embedder: Embedder) -> str:
    """Vectors of each embedder (and width) live in a collection of their own: switching
    embedders builds a new one instead of mixing vectors."""
    return f"{base}-{embedder.name}-{embedder.dim}"


def embed_text(item: Item) -> str:
    """The text an item's vector is made from."""
    return f"{item.title}. {item.text}"


def unit_rows(m: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero)."""
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    return m / np.where(norms > 0, norms, 1.0)


class ChromaVectors:
    CACHE = 50_000  # item vectors kept in process (~2 KB each at 512-d)

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.embedder = embedder
        embedder.embed(["warm up"])  # a lazily loaded model loads now, at start-up, not on the first request
        # Profiles read the vectors of a user's recent items on every request: with a
        # Chroma server that was a second round trip per request. Entries go when this
        # process writes or deletes the item, and all of them when a new index snapshot
        # (which follows any catalog change in another process) is swapped in.
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._client = _client(settings)
        self.base = settings.chroma_collection
        self.collection = self._open(collection_name(self.base, embedder))
        self.others = self.other_embedders()
        if self.others:
            log.warning("Chroma also holds vectors of other embedders (%s), not used by %s (collection %s, "
                        "%d vectors); `python -m service reindex --embed` drops them", ", ".join(
                            f"{n}: {e}" for n, e in self.others.items()), embedder.name, self.collection.name,
                        self.count())

    def _open(self, name: str):
        """This embedder's collection, made if missing; an existing one must say it holds
        this embedder's vectors."""
        from chromadb.errors import NotFoundError

        made_by = {"embedder": self.embedder.name, "dim": self.embedder.dim}
        try:
            collection = self._client.get_collection(name=name, embedding_function=None)
        except NotFoundError:
            return self._client.get_or_create_collection(
                name=name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
                metadata=made_by)
        found = {k: (collection.metadata or {}).get(k) for k in made_by}
        if found != made_by:
            raise InvalidInput(
                f"Chroma collection {name!r} holds vectors of {found['embedder']} ({found['dim']}-d), not of "
                f"the configured {made_by['embedder']} ({made_by['dim']}-d): delete that collection or set "
                "RECS_CHROMA_COLLECTION to another name, then run `python -m service index`")
        return collection

    def other_embedders(self) -> dict[str, str]:
        """Collections of this base name that other embedders (or another width) filled:
        collection name -> embedder. Older versions named them `{base}-{dim}`."""
        out = {}
        for collection in self._client.list_collections():
            meta = collection.metadata or {}
            if "embedder" not in meta or collection.name == self.collection.name:
                continue
            dim = meta.get("dim")
            if collection.name in (f"{self.base}-{meta['embedder']}-{dim}", f"{self.base}-{dim}"):
                out[collection.name] = f"{meta['embedder']} ({dim}-d)"
        return out

    def drop_others(self) -> list[str]:
        """Delete the collections `other_embedders` names; returns their names."""
        names = sorted(self.other_embedders())
        for name in names:
            self._client.delete_collection(name=name)
        self.others = {}
        return names

    def count(self) -> int:
        return self.collection.count()

    def upsert(self, items: Iterable[Item], batch: int = 512,
               progress: Callable[[int], None] | None = None) -> int:
        items = list({it.item_id: it for it in items}.values())
        for start in range(0, len(items), batch):
            chunk = items[start : start + batch]
            vecs = self.embedder.embed([embed_text(it) for it in chunk])
            self.collection.upsert(
                ids=[it.item_id for it in chunk],
                embeddings=vecs,
                metadatas=[_metadata(it) for it in chunk],
            )
            # what was just written is what a read would return
            self._remember({it.item_id: np.asarray(v, dtype=np.float32) for it, v in zip(chunk, vecs)})
            if progress:
                progress(len(chunk))
        return len(items)

    def put(self, items: list[Item], vectors: np.ndarray, batch: int = 2000) -> int:
        """Store vectors made elsewhere (an index snapshot's) for these items, no embedding."""
        for start in range(0, len(items), batch):
            chunk = items[start: start + batch]
            self.collection.upsert(ids=[it.item_id for it in chunk],
                                   embeddings=np.asarray(vectors[start: start + batch], dtype=np.float32),
                                   metadatas=[_metadata(it) for it in chunk])
        return len(items)

    def delete(self, item_ids: list[str]) -> None:
        if item_ids:
            self.collection.delete(ids=item_ids)
            self.forget(item_ids)

    def forget(self, item_ids: list[str] | None = None) -> None:
        """Drop cached vectors (all of them when no ids are given)."""
        with self._cache_lock:
            if item_ids is None:
                self._cache.clear()
            for i in item_ids or []:
                self._cache.pop(i, None)

    def ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def vectors(self, item_ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id. Histories repeat items; Chroma rejects repeated ids, so
        each id is asked for once."""
        item_ids = list(dict.fromkeys(item_ids))
        with self._cache_lock:
            out = {i: self._cache[i] for i in item_ids if i in self._cache}
        missing = [i for i in item_ids if i not in out]
        if missing:
            got = self.collection.get(ids=missing, include=["embeddings"])
            fetched = {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}
            out.update(fetched)
            self._remember(fetched)
        return out

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        with self._cache_lock:
            self._cache.update(vectors)
            while len(self._cache) > self.CACHE:
                self._cache.popitem(last=False)

    def matrix(self, item_ids: list[str], batch: int = 2000) -> np.ndarray:
        """The stored vectors of these items as unit rows in this order (zeros where an
        item has none), read from Chroma in batches."""
        out = np.zeros((len(item_ids), self.embedder.dim), dtype=np.float32)
        row = {iid: r for r, iid in enumerate(item_ids)}
        for start in range(0, len(item_ids), batch):
            got = self.collection.get(ids=item_ids[start:start + batch], include=["embeddings"])
            for iid, v in zip(got["ids"], got["embeddings"]):
                out[row[iid]] = v
        return unit_rows(out)

    def query(self, vector: np.ndarray, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """Nearest items as (item_id, cosine similarity), best first. Chroma returns
        fewer than n when the collection is smaller, so no count() round trip first."""
        try:
            res = self.collection.query(
                query_embeddings=[vector.astype(np.float32)], n_results=n, where=where,
                include=["distances"],
            )
        except Exception as e:  # chroma raises several unrelated types
            raise BackendError(f"Chroma query failed: {e}") from e
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]
