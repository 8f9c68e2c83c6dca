"""No missing glyphs, ever: a character no installed font has fails the build with its place,
instead of printing as an empty box in the PDF."""

from __future__ import annotations

from builder.cli import main
from builder.glyphs import missing



def _fonts_without_cjk(tmp_path, monkeypatch) -> None:
    """A machine as a fresh one is before `make setup`: DejaVu, no Chinese font."""
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                      "  <dir>/usr/share/fonts/truetype/dejavu</dir>\n"
                      f"  <cachedir>{tmp_path / 'fc-cache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))


def test_a_chinese_name_without_a_chinese_font_is_an_error_naming_its_place(example_copy, tmp_path, monkeypatch,
                                                                            capsys):
    folder = example_copy("harbourline-2025")
    _fonts_without_cjk(tmp_path, monkeypatch)
    assert main([str(folder / "company.yaml"), "--no-xbrl"]) == 1
    err = capsys.readouterr().err
    assert "no installed font can show 港 (U+6E2F)" in err and "fonts-noto-cjk" in err
    assert "company.yaml:12:12: 港, 航, 物, 流" in err
    assert not (folder / "output").exists()
    # the HTML alone needs no font of ours: the reader's browser has its own
    assert main([str(folder / "company.yaml"), "--no-xbrl", "--no-pdf"]) == 0


def test_a_character_no_font_has_is_found_in_the_markdown(example_copy, capsys):
    folder = example_copy("360digitech-2021")
    text = (folder / "narrative" / "climate.md").read_text(encoding="utf-8")
    (folder / "narrative" / "climate.md").write_text(text + "\nThe Tangut character \U00017000 has no font here.\n",
                                                      encoding="utf-8")
    assert main([str(folder / "company.yaml"), "--no-xbrl"]) == 1
    err = capsys.readouterr().err
    assert "U+17000" in err and "narrative/climate.md:" in err


def test_the_installed_fonts_show_the_examples_chinese():
    assert missing("港航物流控股有限公司 快手科技") == []


def test_a_character_no_font_has_in_an_svg_image_is_found_too(example_copy, capsys):
    """A chart's labels are set by the PDF's fonts like the text around them."""
    folder = example_copy("360digitech-2021")
    (folder / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">'
                                      '<text x="5" y="30">Energy \U00017000</text></svg>\n', encoding="utf-8")
    text = (folder / "narrative" / "climate.md").read_text(encoding="utf-8")
    (folder / "narrative" / "climate.md").write_text(text + "\n![Energy use](chart.svg)\n", encoding="utf-8")
    assert main([str(folder / "company.yaml"), "--no-xbrl"]) == 1
    err = capsys.readouterr().err
    assert "U+17000" in err and "chart.svg:1:" in err
