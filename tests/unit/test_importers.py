"""Every import format from tiny files written here, plus bad rows and unknown items."""

import json
from pathlib import Path

import pytest

from service.errors import InvalidInput
from service.ingest import import_path
from service.store import Store


def write(path: Path, text: str, encoding="utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def test_movielens_csv_with_tags_and_bad_rows(tmp_path, store: Store):
    d = tmp_path / "ml"
    write(d / "movies.csv", 'movieId,title,genres\n1,Toy Story (1995),Animation|Children\n2,"Heat (1995)",Action|Crime\n,No Id (2000),Drama\n')
    write(d / "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,100\n1,2,oops,101\n1,2,3.5,102\n2,99,4.0,5\n")
    write(d / "tags.csv", "userId,movieId,tag,timestamp\n1,1,pixar,1\n2,1,Pixar,2\n2,1,toys,3\n")
    report = import_path(store, "movielens-csv", d)
    assert (report.items, report.events) == (2, 2)
    where = {(src, line) for src, line, _ in report.bad_rows}
    assert where == {("movies.csv", 4), ("ratings.csv", 3), ("ratings.csv", 5)}
    assert "unknown item_id '99'" in next(w for s, l, w in report.bad_rows if l == 5)
    toy = store.get_item("1")
    assert toy.attributes == {"genres": ["Animation", "Children"], "year": 1995}
    assert "Tags: pixar, toys" in toy.text  # case-insensitive de-duplication
    # Importing again changes nothing: upserts and events are idempotent.
    again = import_path(store, "movielens-csv", d)
    assert again.events == 0 and again.duplicate_events == 2 and store.stats().events == 2


def test_movielens_100k_latin1_and_genre_flags(tmp_path, store: Store):
    d = tmp_path / "ml100k"
    flags = ["0"] * 19
    flags[3] = flags[4] = "1"  # Animation, Children
    write(d / "u.item", "1|Toy Story (1995)|01-Jan-1995||http://x|" + "|".join(flags) + "\n"
          "2|Café Society (1995)|01-Jan-1995||http://x|" + "|".join(["0"] * 18 + ["1"]) + "\n"
          "3|broken line\n", encoding="latin-1")
    write(d / "u.data", "1\t1\t5\t874965758\n1\t2\t3\t874965759\nbad line\n")
    report = import_path(store, "movielens-100k", d)
    assert (report.items, report.events) == (2, 2)
    assert [(s, l) for s, l, _ in report.bad_rows] == [("u.data", 3), ("u.item", 3)]
    assert store.get_item("1").attributes["genres"] == ["Animation", "Children"]
    assert store.get_item("2").title == "Café Society (1995)"
    assert store.get_item("2").attributes["genres"] == ["Western"]


def test_goodbooks_uses_row_order_as_time(tmp_path, store: Store):
    d = tmp_path / "gb"
    write(d / "books.csv", "book_id,authors,original_publication_year,title,language_code,average_rating\n"
          '1,"Suzanne Collins",2008.0,The Hunger Games,eng,4.34\n2,"J.K. Rowling, Mary GrandPré",1997.0,Harry Potter,eng,4.44\n')
    write(d / "ratings_random.csv", "user_id,book_id,rating\n7,2,5\n7,1,4\n")
    report = import_path(store, "goodbooks", d)
    assert (report.items, report.events, report.bad) == (2, 2, 0)
    assert [h.item_id for h in store.history("7")] == ["2", "1"]
    assert store.get_item("2").attributes["authors"] == ["J.K. Rowling", "Mary GrandPré"]


def test_generic_csv_with_column_mapping(tmp_path, store: Store):
    items = write(tmp_path / "items.csv", "sku,name,desc,colour,tags\nA1,Red Shoe,Running shoe,red,sport|outdoor\nA2,,no title,blue,\n")
    report = import_path(store, "csv", items, {"item_id": "sku", "title": "name", "text": "desc"}, "items")
    assert report.items == 1 and [(s, l) for s, l, _ in report.bad_rows] == [("items.csv", 3)]
    assert store.get_item("A1").attributes == {"colour": "red", "tags": ["sport", "outdoor"]}
    events = write(tmp_path / "events.csv", "who,sku,type,timestamp\nu1,A1,purchase,10\nu1,A1,view,\n")
    report = import_path(store, "csv", events, {"user_id": "who", "item_id": "sku"}, "events")
    assert report.events == 1 and report.bad_rows[0][1] == 3 and "timestamp" in report.bad_rows[0][2]


def test_jsonl_items_and_events(tmp_path, store: Store):
    items = write(tmp_path / "items.jsonl", json.dumps({"item_id": "x", "title": "X", "attributes": {"year": 2001}}) + "\n{not json\n")
    report = import_path(store, "jsonl", items, kind="items")
    assert report.items == 1 and report.bad_rows[0][:2] == ("items.jsonl", 2)
    assert store.get_item("x").attributes == {"year": 2001}
    events = write(tmp_path / "ev.jsonl", json.dumps({"user_id": "u", "item_id": "x", "timestamp": 3}) + "\n")
    assert import_path(store, "jsonl", events, kind="events").events == 1


def test_bad_arguments_are_clear(tmp_path, store: Store):
    with pytest.raises(InvalidInput, match="unknown format"):
        import_path(store, "parquet", tmp_path)
    with pytest.raises(InvalidInput, match="does not exist"):
        import_path(store, "movielens-csv", tmp_path / "nope")
    with pytest.raises(InvalidInput, match="takes the dataset's folder"):
        import_path(store, "goodbooks", write(tmp_path / "f.csv", "a\n"))


def test_csv_cells_that_are_numbers_become_numbers(tmp_path):
    """Price and size filters, and the chat's ranges, need numbers; codes stay text."""
    from service.ingest.formats import read_csv

    path = tmp_path / "items.csv"
    path.write_text("item_id,title,price,screen,code,network,tags\n"
                    "p1,Phone One,499,6.7,007,5G,a|b\n")
    item = next(iter(read_csv(path, {}, "items"))).record
    assert item.attributes == {"price": 499, "screen": 6.7, "code": "007", "network": "5G", "tags": ["a", "b"]}


def test_an_imported_event_of_an_unknown_type_is_a_bad_row_or_read_as_the_default(tmp_path, store: Store):
    from service.feedback import Feedback
    from service.settings import FeedbackSettings

    items = write(tmp_path / "items.csv", "sku,name\nA1,Red Shoe\n")
    import_path(store, "csv", items, {"item_id": "sku", "title": "name"}, "items")
    events = write(tmp_path / "events.csv", "who,sku,type,timestamp\nu1,A1,purchase,10\nu1,A1,thumbs_down,11\n")
    mapping = {"user_id": "who", "item_id": "sku"}
    report = import_path(store, "csv", events, mapping, "events", feedback=Feedback(FeedbackSettings()))
    assert report.events == 1 and report.bad_rows[0][1] == 3 and "known types are" in report.bad_rows[0][2]
    report = import_path(store, "csv", events, mapping, "events",
                         feedback=Feedback(FeedbackSettings(unknown="dislike")))
    assert report.events == 1 and [h.type for h in store.history("u1")] == ["purchase", "dislike"]


def test_amounts_written_with_their_unit_or_currency_become_numbers(tmp_path):
    """'8 GB', '$1,099.99', '6.7"' are the numbers a filter compares; a name ('5G', '12G'
    glued capitals, 'Android 14', '3 cameras') stays text, in CSV and in JSON alike."""
    from service.ingest.formats import read_csv, read_jsonl

    path = tmp_path / "items.csv"
    path.write_text('item_id,title,price,ram,weight,screen,battery,network,memory,os,cams\n'
                    'p1,Phone One,"$1,099.99",8 GB,190g,"6.7""",5000 mAh,5G,12G,Android 14,3 cameras\n')
    item = next(iter(read_csv(path, {}, "items"))).record
    assert item.attributes == {"price": 1099.99, "ram": 8, "weight": 190, "screen": 6.7, "battery": 5000,
                               "network": "5G", "memory": "12G", "os": "Android 14", "cams": "3 cameras"}
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps({"item_id": "p2", "title": "Phone Two", "price": "499 €", "ram": "12GB", "code": "007"}))
    assert next(iter(read_jsonl(path, {}, "items"))).record.attributes == {"price": 499, "ram": 12, "code": "007"}
