"""The board paper as Word and HTML: the same paper as the markdown, with a dashboard, for the board pack."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from markdown_it import MarkdownIt
from PIL import Image

from tracker.domain.rating import Rating
from tracker.output.document import FILL

from .conftest import Run
from .test_reports import AS_OF, HISTORY, HOSTILE, file_returns, ret, with_board

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def board(workspace: Path) -> Path:
    file_returns(workspace, HISTORY)
    return workspace


_BLOCKS = {"p", "li", "td", "th", "tr", "h1", "h2", "h3", "br", "ul", "table"}


class _Words(HTMLParser):
    """The words a reader sees in an HTML page, leaving out what is not read (style, title, the chart)."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.hidden = 0
        self.links: list[str] = []
        self.tags: set[str] = set()

    @property
    def words(self) -> list[str]:
        return "".join(self.text).split()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag in _BLOCKS or dict(attrs).get("class") == "words":
            self.text.append(" ")
        if tag in ("style", "title", "svg", "script", "figcaption"):
            self.hidden += 1
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.text.append(" ")
        if tag in ("style", "title", "svg", "script", "figcaption"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)


def html_words(page: str) -> _Words:
    parser = _Words()
    parser.feed(page)
    return parser


def markdown_words(paper: str) -> list[str]:
    return html_words(MarkdownIt("commonmark").enable("table").render(paper)).words


def docx_words(path: Path) -> list[str]:
    """Every word of the document's body, in order: paragraphs and table cells (links included)."""
    words: list[str] = []
    body = docx.Document(str(path)).element.body
    for node in body.iter(qn("w:p")):
        words += "".join(t.text or "" if t.tag == qn("w:t") else " " for t in node.iter(qn("w:t"), qn("w:br"))).split()
    return words


def without_dashboard(words: list[str]) -> list[str]:
    """The paper's words without the dashboard (before the counts, after page one), which the markdown
    paper leaves to `tracker trend`."""
    start = words.index("Dashboard")
    return words[:start] + words[words.index("Summary", start) :]


def papers(run: Run, root: Path, tmp_path: Path, *args: str) -> tuple[str, str, Path]:
    md = run("paper", "--as-of", AS_OF, *args, root=root)
    assert md.exit_code == 0, md.stderr
    html, word = tmp_path / "paper.html", tmp_path / "paper.docx"
    for out in (html, word):
        result = run("paper", "--as-of", AS_OF, *args, "--out", str(out), root=root)
        assert result.exit_code == 0 and result.stdout == "", result.stderr
    return md.stdout, html.read_text(encoding="utf-8"), word


def test_word_and_html_say_the_same_words_as_the_markdown(run: Run, board: Path, tmp_path: Path) -> None:
    markdown, page, word = papers(run, with_board(board), tmp_path)
    expected = markdown_words(markdown)
    assert len(expected) > 1000
    seen = html_words(page).words
    assert seen[0] == seen[-1] == "OFFICIAL"  # the classification, top and bottom (Word's is in its header and footer)
    assert without_dashboard(seen[1:-1]) == expected
    assert without_dashboard(docx_words(word)) == expected


def test_the_word_paper_has_headings_tables_shaded_ratings_landscape_appendices_and_page_numbers(
    run: Run, board: Path, tmp_path: Path
) -> None:
    markdown, _, path = papers(run, with_board(board), tmp_path)
    document = docx.Document(str(path))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", markdown.splitlines()[0].removeprefix("# ").replace("\\", ""))
    sections = [text for style, text in headings if style == "Heading 1"]
    in_markdown = re.findall(r"^## (.+)$", markdown, re.M)
    counts = in_markdown.index("Summary")  # page one first: the chart comes with the counts, after it
    assert sections == [*in_markdown[:counts], "Dashboard", *in_markdown[counts:]]
    assert sections[:4] == ["Purpose", "At a glance, 30 June 2025", "The board is asked to", "Dashboard"]
    # The header block: the board's details, a label and its value a row.
    fields = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert fields["Board"] == "Northshire Combating Drugs Partnership" and fields["Meeting"] == "3 July 2025"
    # The summary: each rating's cell shaded in its colour, with its shape and word in it.
    summary = next(t for t in document.tables if t.rows[0].cells[0].text == "Headline")
    for row, rating in zip(summary.rows[1:], Rating, strict=True):
        cell = row.cells[0]
        assert cell.text == f"{rating.symbol} {rating.word}"
        assert cell._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == FILL[rating][0]
    # Each table's first row is repeated at the top of every page it runs onto.
    assert all(t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for t in document.tables[1:])
    # The appendices are on landscape pages of their own; the paper before them is portrait A4.
    first, appendices = document.sections
    assert first.orientation == WD_ORIENT.PORTRAIT and (round(first.page_width.cm, 1), round(first.page_height.cm, 1)) == (
        21,
        29.7,
    )
    assert appendices.orientation == WD_ORIENT.LANDSCAPE and round(appendices.page_width.cm, 1) == 29.7
    assert {round(length.cm, 2) for s in document.sections for length in (s.left_margin, s.right_margin, s.top_margin)} == {2}
    footer = first.footer.paragraphs[0]
    assert "".join(t.text for t in footer._p.iter(qn("w:t"))) == "Page 1 of 1" and footer.style.name == "Footer"
    assert [f.get(qn("w:instr")) for f in footer._p.iter(qn("w:fldSimple"))] == ["PAGE", "NUMPAGES"]  # filled in by Word
    assert appendices.footer.is_linked_to_previous  # the landscape pages keep the same footer
    # Every table is a grid whose rows never split across pages.
    assert {t.style.name for t in document.tables} == {"Table Grid"}
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for t in document.tables[1:] for row in t.rows)
    # The chart is a picture across the text's width with its words as alternative text, placed with
    # the counts, opening page two: page one is the signal.
    pictures = document.inline_shapes
    assert len(pictures) == 1 and "Headline ratings at each board meeting" in pictures[0]._inline.docPr.get("descr")
    assert pictures[0]._inline.docPr.get("name") == "Headline ratings"
    text_width = first.page_width.cm - first.left_margin.cm - first.right_margin.cm
    assert round(pictures[0].width.cm, 2) == round(text_width, 2) == 17
    assert round(pictures[0].width / pictures[0].height, 2) == 2.5  # the chart's own proportions
    body = [p for p in document.paragraphs if p.text or p._p.find(f"{qn('w:r')}/{qn('w:br')}") is not None]
    dashboard = next(i for i, p in enumerate(body) if p.text == "Dashboard")
    assert body[dashboard - 1]._p.find(f"{qn('w:r')}/{qn('w:br')}").get(qn("w:type")) == "page"
    # What the board is asked is a bulleted list, in a style of its own.
    asked = [p for p in document.paragraphs if p.style.name == "List Bullet"]
    assert asked and all(p.text for p in asked)


def test_the_word_paper_is_set_in_arial_and_dated_the_papers_day(run: Run, board: Path, tmp_path: Path) -> None:
    from datetime import datetime, timezone

    _, _, path = papers(run, with_board(board), tmp_path)
    document = docx.Document(str(path))
    sizes = {"Normal": 10, "Title": 18, "Heading 1": 14, "Heading 2": 11.5}
    for name, size in sizes.items():
        style = document.styles[name]
        assert (style.font.name, style.font.size.pt) == ("Arial", size), name
        assert style.element.rPr.rFonts.get(qn("w:cs")) == "Arial"  # right-to-left text too
    assert all(document.styles[name].font.bold for name in ("Title", "Heading 1", "Heading 2"))
    assert str(document.styles["Heading 1"].font.color.rgb) == "0B0C0C"
    # The bulleted style is a bullet: its numbering is in the document.
    bullet = document.styles["List Bullet"].element.pPr.numPr.numId.val
    numbering = document.part.numbering_part.element
    (num,) = [n for n in numbering.iter(qn("w:num")) if n.get(qn("w:numId")) == str(bullet)]
    abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    (level,) = [a for a in numbering.iter(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract]
    assert level.find(f"{qn('w:lvl')}/{qn('w:numFmt')}").get(qn("w:val")) == "bullet"
    # The document's properties: its title, its author (the board's secretariat, not tracker), and the
    # paper's date (not the day it was made).
    properties = document.core_properties
    when = datetime(2025, 6, 30, tzinfo=timezone.utc)
    assert properties.title == document.paragraphs[0].text
    assert properties.author == properties.last_modified_by == "Partnership secretariat"
    assert properties.created == properties.modified == properties.last_printed == when and properties.revision == 1


def test_the_word_paper_holds_a_hostile_title_and_a_long_history(run: Run, board: Path, tmp_path: Path) -> None:
    """A board's name with a non-character, a control character and WordprocessingML in it, long enough
    that the title outgrows a document property; 60 quarters of history, of which the chart shows 40."""
    name = "<w:p/>]]>&amp; North\ufffe\x0bshire " + "Partnership " * 40
    path = tmp_path / "far.docx"
    result = run("paper", "--as-of", "2040-06-30", "--board", name, "--out", str(path), root=board)
    assert result.exit_code == 0, result.stderr
    document = docx.Document(str(path))
    title = document.paragraphs[0].text
    assert title.startswith("<w:p/>]]>&amp; Northshire Partnership Partnership") and "\ufffe" not in title
    assert title.endswith("prevention, treatment, and recovery") and len(title) > 500
    assert document.core_properties.title == title[:255]
    assert document.tables[0].rows[0].cells[1].text == title.split(": delivery")[0]
    (picture,) = document.inline_shapes
    assert "36 earlier dates are in tracker trend" in picture._inline.docPr.get("descr")
    with zipfile.ZipFile(path) as z, z.open("word/media/image1.png") as f, Image.open(f) as image:
        assert image.width > 2 * image.height > 1000


def test_the_html_paper_is_one_self_contained_printable_page(run: Run, board: Path, tmp_path: Path) -> None:
    file_returns(board, [ret(20, "DWP", "2025-06-01", "red", "Stalled.", evidence=("https://www.gov.uk/x",))])
    _, page, _ = papers(run, with_board(board), tmp_path)
    seen = html_words(page)
    assert seen.tags.isdisjoint({"script", "img", "link", "iframe", "object", "embed"})
    assert not re.search(r"\bsrc=|url\(|@import", page, re.I)
    assert all(v.startswith("https://") for v in re.findall(r'href="([^"]*)"', page))
    assert "default-src 'none'" in page  # the browser is told too: nothing is fetched, nothing runs
    assert "@page {\n  size: A4;" in page and "@media print" in page and "page: wide" in page
    assert 'content: "Page " counter(page) " of " counter(pages)' in page  # printed, every page is numbered
    # On a phone (390 px), a table of many columns is read a row at a time, each cell under its column's name.
    assert "@media screen and (max-width: 600px)" in page and "table.stacks td::before { content: attr(data-label);" in page
    assert '<table class="stacks">' in page and '<td data-label="Recommendation">' in page
    assert '<td class="rag red" data-label="Headline">✖ RED</td>' in page  # colour, and the word
    assert seen.links == ["https://www.gov.uk/x"] and ">gov.uk</a>" in page


def test_the_dashboard_charts_the_numbers_trend_prints(run: Run, board: Path, tmp_path: Path) -> None:
    with_board(board)
    _, page, word = papers(run, board, tmp_path)
    trend = json.loads(run("trend", "--as-of", AS_OF, "--format", "json", root=board).stdout)
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", page, re.S)[0])  # type: ignore[index]
    drawn: dict[str, dict[str, int]] = {}
    for rect in svg.iter(f"{SVG}rect"):
        title = rect.find(f"{SVG}title")
        assert title is not None and title.text is not None
        if ": " in title.text:  # a bar's part: "2025-03-31: 5 AMBER"
            when, what = title.text.split(": ")
            n, word_ = what.split(" ", 1)
            drawn.setdefault(when, {})[Rating[word_.replace(" ", "_")].value] = int(n)
    expected = {p["date"]: {k: v for k, v in p.items() if k != "date" and v} for p in trend["points"]}
    assert drawn == expected and list(drawn) == ["2025-03-31", AS_OF]
    # The same chart in Word, drawn as a picture.
    with zipfile.ZipFile(word) as z:
        pictures = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(pictures) == 1
        with z.open(pictures[0]) as f, Image.open(f) as image:
            assert image.format == "PNG" and image.width > 2 * image.height > 1000
    # The sections table counts every recommendation once.
    counts = re.findall(r'<td class="r(?: rag \w+| zero)">(\d+)</td>', page.split('class="sections"')[1].split("</table>")[0])
    assert sum(int(n) for n in counts) == 32


def test_the_same_data_and_date_give_the_same_bytes(run: Run, board: Path, tmp_path: Path) -> None:
    first = tmp_path / "one"
    second = tmp_path / "two"
    first.mkdir()
    second.mkdir()
    _, page, word = papers(run, board, first)
    again_page, again_word = papers(run, board, second)[1:]
    assert page == again_page and word.read_bytes() == again_word.read_bytes()
    with zipfile.ZipFile(word) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert f"{AS_OF}T00:00:00Z" in core and "2026" not in core.replace(AS_OF, "")
    # A later date is a different paper.
    later = run("paper", "--as-of", "2025-07-01", "--out", str(tmp_path / "later.docx"), root=board)
    assert later.exit_code == 0 and (tmp_path / "later.docx").read_bytes() != word.read_bytes()


def test_hostile_text_is_inert_in_every_format(run: Run, workspace: Path, tmp_path: Path) -> None:
    file_returns(
        workspace,
        [
            ret(17, "MoJ", "2025-06-01", "red", HOSTILE, evidence=("https://example.org/a|b<c>(d)`e\"x'y",)),
            ret(20, "DWP", "2025-06-01", "red", "</td></tr></table><img src=x onerror=alert(1)>"),
        ],
    )
    name = '<script>alert("board")</script> & Co'
    markdown, page, word = papers(run, workspace, tmp_path, "--board", name, "--author", "]]><w:p/>\x1b[2J")
    seen = html_words(page)
    assert "script" not in seen.tags and "img" not in seen.tags
    assert "onerror" not in re.sub(r"&lt;img src=x onerror=alert\(1\)&gt;", "", page)
    assert "\x1b" not in page and "&lt;script&gt;alert(&quot;board&quot;)&lt;/script&gt; &amp; Co" in page
    assert 'href="https://example.org/a%7Cb%3Cc%3E%28d%29%60e%22x&#x27;y"' in page  # as the markdown's target
    # Every format says the same words, the hostile ones included, as the words they are.
    expected = markdown_words(markdown)
    assert "<script>alert(1)</script>" in " ".join(expected) and "</td></tr></table><img" in " ".join(expected)
    assert without_dashboard(seen.words) == expected
    assert without_dashboard(docx_words(word)) == expected
    document = docx.Document(str(word))
    assert document.core_properties.author == "]]><w:p/>[2J"  # the author given, as text (the escape character gone)
    targets = [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert targets == ["https://example.org/a%7Cb%3Cc%3E%28d%29%60e%22x'y"]


def test_only_http_links_are_links_whatever_reaches_the_renderers(tmp_path: Path) -> None:
    """The data refuses other links; the renderers would show one as text all the same."""
    from datetime import date

    from tracker.output import html, word
    from tracker.output.document import Link, Paper, Para

    links = ("javascript:alert(1)//https://x.example", "data:text/html,<b>x</b>", "https://ok.example/a")
    paper = Paper("T", None, (Para(tuple(Link(u) for u in links)),))
    page = html.render(paper)
    assert html_words(page).links == ["https://ok.example/a"] and "javascript:alert(1)//https://x.example" in page
    assert "&lt;b&gt;" in page
    path = tmp_path / "t.docx"
    path.write_bytes(word.render(paper, date(2025, 1, 1)))
    document = docx.Document(str(path))
    assert [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")] == ["https://ok.example/a"]
    assert "javascript:alert(1)//https://x.example" in " ".join(docx_words(path))


def test_the_format_follows_the_file_name_and_word_is_kept_off_the_terminal(run: Run, board: Path, tmp_path: Path) -> None:
    assert run("paper", "--as-of", AS_OF, "--out", str(tmp_path / "p.HTML"), root=board).exit_code == 0
    assert (tmp_path / "p.HTML").read_text().startswith("<!DOCTYPE html>")
    assert run("paper", "--as-of", AS_OF, "--out", str(tmp_path / "p.docx"), root=board).exit_code == 0
    assert zipfile.is_zipfile(tmp_path / "p.docx")
    for args in (["--format", "md", "--out", "p2.docx"], ["--out", "p.pdf"], ["--format", "html", "--out", "p.md"]):
        result = run("paper", *args[:-1], str(tmp_path / args[-1]), root=board)
        assert result.exit_code == 2 and not (tmp_path / args[-1]).exists(), args
    assert "name the file .md, .docx or .html, or give --format" in run("paper", "--out", "p.pdf", root=board).stderr
    assert run("paper", "--as-of", AS_OF, "--out", str(tmp_path / "plain"), root=board).exit_code == 0  # markdown
    assert (tmp_path / "plain").read_text().startswith("# ")
    assert run("paper", "--as-of", AS_OF, "--format", "html", "--out", str(tmp_path / "p.txt"), root=board).exit_code == 2
    assert run("paper", "--as-of", AS_OF, "--out", "-", root=board).stdout.startswith("# ")  # - is stdout
    assert run("paper", "--as-of", AS_OF, "--format", "html", root=board).stdout.startswith("<!DOCTYPE html>")
    result = run("paper", "--format", "pdf", root=board)
    assert result.exit_code == 2 and "'pdf' is not one of 'md', 'docx', 'html'" in result.stderr
    bad = run("paper", "--out", str(tmp_path / "nowhere" / "p.docx"), root=board)
    assert bad.exit_code == 3 and "does not exist" in bad.stderr


def test_word_to_a_pipe_is_the_document_and_at_a_terminal_is_refused(board: Path, tmp_path: Path) -> None:
    piped = subprocess.run(
        [sys.executable, "-m", "tracker", "--root", str(board), "paper", "--as-of", AS_OF, "--format", "docx"],
        capture_output=True,
        check=True,
    )
    assert piped.stdout.startswith(b"PK") and zipfile.is_zipfile(io.BytesIO(piped.stdout))
    script = (
        "import pty, os, sys\n"
        "pid, fd = pty.fork()\n"
        "if pid == 0:\n"
        f"    args = ['-m', 'tracker', '--root', {str(board)!r}, 'paper', '--format', 'docx']\n"
        "    os.execv(sys.executable, [sys.executable, *args])\n"
        "out = b''\n"
        "while True:\n"
        "    try:\n"
        "        chunk = os.read(fd, 1024)\n"
        "    except OSError:\n"
        "        break\n"
        "    if not chunk:\n"
        "        break\n"
        "    out += chunk\n"
        "print(os.waitpid(pid, 0)[1] >> 8, out.decode(errors='replace').strip())\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("2 tracker: error: a Word document is not for the terminal")


def test_papers_load_only_what_their_format_needs(workspace: Path) -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from tracker.cli import app\n"
        f"root = ['--root', {str(workspace)!r}]\n"
        "for args in (['paper'], ['trend'], ['report'], ['chase']):\n"
        "    assert CliRunner().invoke(app, [*root, *args]).exit_code == 0, args\n"
        "before = {m for m in ('docx', 'PIL', 'lxml') if m in sys.modules}\n"
        f"assert CliRunner().invoke(app, [*root, 'paper', '--format', 'html']).exit_code == 0\n"
        "html = {m for m in ('docx', 'PIL', 'lxml') if m in sys.modules}\n"
        f"out = {str(workspace / 'p.docx')!r}\n"
        "assert CliRunner().invoke(app, [*root, 'paper', '--out', out]).exit_code == 0\n"
        "word = {m for m in ('docx', 'PIL', 'lxml') if m in sys.modules}\n"
        "print(sorted(before), sorted(html), sorted(word))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[] [] ['PIL']"  # Word: Pillow draws its chart; no python-docx, no lxml


@pytest.mark.slow  # starts LibreOffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_word_paper_and_prints_it(run: Run, board: Path, tmp_path: Path) -> None:
    _, _, word = papers(run, with_board(board), tmp_path)
    profile = tmp_path / "profile"
    converted = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(word),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp_path / "paper.pdf"
    assert converted.returncode == 0 and pdf.exists(), converted.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Appendix B: recommendations by department" in text and "Page 1 of" in text


def test_a_link_shows_the_site_it_goes_to(run: Run, workspace: Path) -> None:
    from tracker.output.document import host, target, web

    assert host("https://WWW.GOV.UK/x") == "gov.uk"
    assert host("https://www.g\u043ev.uk/") == "xn--gv-fmc.uk"  # a look-alike in another script is not "gov.uk"
    assert web('https://a.example/x y"<>') == "https://a.example/x%20y%22%3C%3E" == target('https://a.example/x y"<>')
    # A backslash (which browsers read as "/"), a control character or a non-character is refused on input.
    for bad in ("https://evil.example\\@www.gov.uk/", "https://www.gov.uk/a\x01b", "https://www.gov.uk/a\ufffeb"):
        result = run("assess", "1", "--rag", "red", "--summary", "x", "--date", "2025-11-01", "--evidence", bad, root=workspace)
        assert result.exit_code == 3 and "is not an http(s) URL" in result.stderr, bad


def test_the_chart_keeps_to_the_latest_dates_and_its_labels_apart(run: Run, board: Path, tmp_path: Path) -> None:
    from datetime import date, timedelta

    from tracker.output import chart

    counts = {Rating.RED: 2, Rating.AMBER: 10, Rating.GREEN: 5, Rating.COMPLETE: 1, Rating.NO_RETURN: 14}
    for n in (1, 7, 25, 200):
        labels = [
            s
            for s in chart.layout([(date(2021, 8, 15) + timedelta(days=9 * i), counts) for i in range(n)])
            if isinstance(s, chart.Label) and len(s.text) == 10
        ]
        edges = sorted((s.x - chart._width(s.text, s.size) / 2, s.x + chart._width(s.text, s.size) / 2) for s in labels)
        assert all(a[1] < b[0] for a, b in zip(edges, edges[1:], strict=False)), n  # no two touch
        assert edges[0][0] >= 0 and edges[-1][1] <= chart.WIDTH, n  # all inside the frame
        assert labels[0].text == (date(2021, 8, 15) + timedelta(days=9 * (n - 1))).isoformat()  # the latest always
    result = run("paper", "--as-of", "2040-06-30", "--out", str(tmp_path / "far.html"), root=board)
    assert result.exit_code == 0
    page = (tmp_path / "far.html").read_text()
    assert page.count("<title>2040-06-30: ") >= 1 and "2021-09-30: " not in page
    assert "(36 earlier dates are in tracker trend)" in page  # 76 quarters' ends and the date; the chart shows 40


def test_a_paper_written_through_a_link_goes_to_the_file_it_points_to(run: Run, board: Path, tmp_path: Path) -> None:
    kept = tmp_path / "kept.md"
    kept.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(kept)
    assert run("paper", "--as-of", AS_OF, "--out", str(link), root=board).exit_code == 0
    assert link.is_symlink() and kept.read_text().startswith("# ")
    full = run("paper", "--as-of", AS_OF, "--out", "/dev/full", root=board)
    assert full.exit_code == 3 and full.stderr.startswith("tracker: error: --out: cannot write /dev/full: no space left")


def test_out_naming_stdout_is_stdout_and_a_closed_one_is_an_error(board: Path, tmp_path: Path) -> None:
    for out in ("-", "/dev/stdout"):
        args = [sys.executable, "-m", "tracker", "--root", str(board), "paper", "--as-of", AS_OF, "--out", out]
        shown = subprocess.run(args, capture_output=True, text=True)
        assert shown.returncode == 0 and shown.stdout.startswith("# ") and "wrote" not in shown.stderr
        closed = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, close_fds=True,
                                preexec_fn=lambda: os.close(1))  # fmt: skip
        assert closed.returncode == 3 and closed.stderr == "tracker: error: standard output is closed\n", closed.stderr
    assert subprocess.run([*args[:-1], str(tmp_path / ".docx")], check=True).returncode == 0
    assert zipfile.is_zipfile(tmp_path / ".docx")  # a name that is only the extension names the format


def test_a_link_with_an_entity_goes_where_it_says_in_markdown(run: Run, workspace: Path) -> None:
    url = "https://example.com/<b>&amp;</b>?a=1&b=2"
    file_returns(workspace, [ret(17, "MoJ", "2025-06-01", "red", "Stalled.", evidence=(url,))])
    paper = run("paper", "--as-of", AS_OF, root=workspace).stdout
    hrefs = re.findall(r'href="([^"]*)"', MarkdownIt("commonmark").render(paper))
    assert "https://example.com/%3Cb%3E&amp;amp;%3C/b%3E?a=1&amp;b=2" in hrefs  # that is: &amp; and & as written
    for bad in ("https://example.com/a\ufdd0b", "https://example.com/a\u200bb", "https://example.com/\U0010fffe"):
        result = run("assess", "1", "--rag", "red", "--summary", "x", "--date", "2025-11-01", "--evidence", bad, root=workspace)
        assert result.exit_code == 3, bad


def test_every_page_is_marked_with_the_classification_as_the_gsc_ask(run: Run, board: Path, tmp_path: Path) -> None:
    """Word: the classification in the header and footer of every page, with Page X of Y; HTML: in the
    printed page's margin boxes; a paper with none says so on stderr."""
    _, page, word = papers(run, with_board(board), tmp_path)
    document = docx.Document(str(word))
    for section in document.sections:  # the landscape appendices keep the same header and footer
        assert [p.text for p in section.header.paragraphs] == ["OFFICIAL"]
        footer = ["".join(t.text for t in p._p.iter(qn("w:t"))) for p in section.footer.paragraphs]
        assert footer == ["Page 1 of 1", "OFFICIAL"]  # the page numbers filled in by Word
        assert all(r.bold for p in section.header.paragraphs for r in p.runs)
    styles = document.styles.element
    assert styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}").get(qn("w:val")) == "en-GB"
    assert '@page { @top-center { content: "OFFICIAL"; font: bold 10pt Arial, sans-serif; }' in page
    # A classification given on the command line cannot end the style sheet or the string.
    hostile = '"} body { display: none } </style><script>x()</script>'
    result = run("paper", "--as-of", AS_OF, "--format", "html", "--classification", hostile, root=board)
    css = result.stdout[result.stdout.index("<style>") : result.stdout.index("</style>")]
    assert "<" not in css.removeprefix("<style>") and "body { display: none }" not in css and "<script>" not in result.stdout
    assert result.stderr == ""
    result = run("paper", "--as-of", AS_OF, "--classification", "", root=board)  # blank: the board's is left out
    assert result.exit_code == 0 and "no security classification" in result.stderr
