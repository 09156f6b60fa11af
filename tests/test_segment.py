import pytest

from summarizer.inputs.articles import parse_article
from summarizer.inputs.segment import split_paragraphs, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dhr. Jansen kwam. Hij bleef.", ["Dhr. Jansen kwam.", "Hij bleef."]),
        ("Hij zei o.a. dat het kon. Daarna niet.", ["Hij zei o.a. dat het kon.", "Daarna niet."]),
        ("Neem bijv. de trein. Of de bus.", ["Neem bijv. de trein.", "Of de bus."]),
        ("De groei was 1,5 procent. Dat is veel.", ["De groei was 1,5 procent.", "Dat is veel."]),
        ("Ca. 3 mln. mensen kwamen. Het was druk.", ["Ca. 3 mln. mensen kwamen.", "Het was druk."]),
        ('Zij zei: "Dit klopt niet. Echt niet." Daarna ging ze.', ['Zij zei: "Dit klopt niet. Echt niet."', "Daarna ging ze."]),
        ("'Het vordert erg goed', aldus Trump. Wat nu?", ["'Het vordert erg goed', aldus Trump.", "Wat nu?"]),
        ("Eén zin zonder punt", ["Eén zin zonder punt"]),
        ("   ", []),
    ],
)
def test_dutch_sentences(text, expected):
    assert split_sentences(text, "nl") == expected


def test_english_titles_do_not_end_sentences():
    assert split_sentences("Mr. Smith went. Dr. Who stayed.", "en") == ["Mr. Smith went.", "Dr. Who stayed."]


def test_paragraphs_split_on_blank_lines_and_join_lines():
    assert split_paragraphs("a\nb\n\n\n c \n  \nd") == ["a b", "c", "d"]


def test_seed_header_becomes_metadata(tmp_path):
    text = " date 2018-05 Kop van het stuk\n\nEerste zin. Tweede zin.\n\nDerde zin."
    article = parse_article(text, path=tmp_path / "a.txt", name="a.txt", sha256="x")
    assert article.date == "2018-05"
    assert article.title == "Kop van het stuk"
    assert article.paragraphs == (("Eerste zin.", "Tweede zin."), ("Derde zin.",))
    assert not any("date" in s for s in article.sentences)


def test_header_followed_by_body_text_has_no_title(tmp_path):
    text = " date 2018-05 Daarnaast zou hij dat hebben bevestigd. Volgens Moon klopt dat.\n\nHet verloop."
    article = parse_article(text, path=tmp_path / "a.txt", name="a.txt", sha256="x")
    assert article.title is None
    assert article.sentences[0] == "Daarnaast zou hij dat hebben bevestigd."


def test_seeds_segment_into_whole_sentences(seed_dir):
    from summarizer.inputs.articles import find_articles, read_article

    for path, name in find_articles(seed_dir):
        article = read_article(path, name)
        assert article.date == "2018-05"
        joined = " ".join(article.sentences)
        assert "Kim Jong-un" in joined
        assert all(s == s.strip() and s for s in article.sentences)
