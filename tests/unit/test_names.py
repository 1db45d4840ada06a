"""Names written in Chinese characters heard as the catalog's names (service/text/names.py)."""

import pytest

from service.text.lexicon import lexicon
from service.text.names import NameIndex, distance, latin_skeleton, pinyin_skeleton

NAMES = ["Stephen King", "Stephen Crane", "Stephen Hawking", "Jane Austen", "Jon Stone", "Neil Gaiman",
         "J.K. Rowling", "Agatha Christie", "Dan Brown", "Daniel James Brown", "Cixin Liu", "Huawei",
         "George R.R. Martin", "Gabriel García Márquez"]
WEIGHT = {("authors", "Stephen King"): 60, ("authors", "Stephen Crane"): 1, ("authors", "Stephen Hawking"): 3,
          ("authors", "Jane Austen"): 8, ("authors", "Jon Stone"): 1}


@pytest.fixture(scope="module")
def index():
    return NameIndex([("authors", n) for n in NAMES], lexicon().data["name_edges"]["zh"], WEIGHT)


def found(index, text):
    return [h.value for h in index.find(text)]


def test_skeletons_sound_alike():
    assert pinyin_skeleton("斯蒂芬") == latin_skeleton("Stephen") == "STFN"
    assert distance(pinyin_skeleton("金"), latin_skeleton("King")) == 0.25  # jin ~ king
    assert distance(pinyin_skeleton("罗琳"), latin_skeleton("Rowling")) < 0.5  # no r/l contrast


@pytest.mark.parametrize("text,name", [
    ("斯蒂芬·金的恐怖小说", "Stephen King"),
    ("我想读尼尔·盖曼的书", "Neil Gaiman"),
    ("有没有J·K·罗琳写的", "J.K. Rowling"),
    ("阿加莎・克里斯蒂", "Agatha Christie"),  # a Japanese-style middle dot
    ("乔治·R·R·马丁的书", "George R.R. Martin"),
    ("加西亚·马尔克斯", "Gabriel García Márquez"),  # the last two of three names
    ("刘慈欣的科幻小说", "Cixin Liu"),  # Chinese order, pinyin letter for letter
    ("华为手机", "Huawei"),
])
def test_names_are_found(index, text, name):
    assert found(index, text) == [name]


def test_sound_alikes_go_to_the_name_with_the_books(index):
    assert found(index, "简·奥斯汀") == ["Jane Austen"]  # sounds like Jon Stone too


def test_where_the_name_ends_is_read_from_the_words_around_it(index):
    hit = index.find("我想读斯蒂芬·金的书")[0]
    assert "我想读斯蒂芬·金的书"[hit.start:hit.end] == "斯蒂芬·金"


@pytest.mark.parametrize("text", ["有没有好看的恐怖片", "我想看一部轻松的喜剧·不要太长", "有没有类似哈利·波特的书",
                                  "我最近在寻找一款性价比高的智能手机"])
def test_no_name_no_hit(index, text):
    assert found(index, text) == []
