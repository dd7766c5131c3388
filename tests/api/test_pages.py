"""The HTML pages: what the home page lists, and the language each page is rendered in."""

import json
import re

from fastapi.testclient import TestClient

from app.api.pages import CHAPTERS, PAGES
from app.i18n import load_catalog


def embedded_catalog(html: str) -> dict[str, str]:
    """The catalog a page embeds for static/js/ui/i18n.js."""
    match = re.search(r'<script type="application/json" id="i18n-catalog"[^>]*>(.*?)</script>', html, re.S)
    assert match, "no embedded catalog"
    return json.loads(match.group(1))


def test_home_lists_only_the_pages_that_exist(client: TestClient) -> None:
    """Each model page linked from the home page answers 200."""
    response = client.get("/")
    assert response.status_code == 200
    links = re.findall(r'<li class="card">\s*<a href="([^"]+)"', response.text)
    assert links == [page.path for page in PAGES]
    for link in links:
        assert client.get(link).status_code == 200


def test_home_groups_the_pages_by_chapter_one_first(client: TestClient) -> None:
    html = client.get("/").text
    found = re.findall(r'data-chapter="(\w+)"', html)
    assert found == [chapter.name for chapter in CHAPTERS]
    first = html.split('data-chapter="one"')[1].split('data-chapter="two"')[0]
    built = {page.path for page in PAGES}
    assert re.findall(r'<a href="([^"]+)"', first) == [p for p in CHAPTERS[0].paths if p in built]
    assert {"/learning", "/losses", "/optim", "/activations", "/backprop", "/playground"} <= built
    order = [path for chapter in CHAPTERS for path in chapter.paths]
    assert [page.path for page in PAGES] == sorted((p.path for p in PAGES), key=order.index)


def test_lenet_page_loads_its_script_and_styles(client: TestClient) -> None:
    html = client.get("/lenet").text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
    assert '<script type="module" src="/static/js/pages/lenet.js">' in html


def test_english_by_default(client: TestClient) -> None:
    response = client.get("/lenet")
    assert '<html lang="en">' in response.text
    assert response.headers["content-language"] == "en"
    assert embedded_catalog(response.text)["controls.train"] == "Train"


def test_accept_language_picks_chinese(client: TestClient) -> None:
    response = client.get("/lenet", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    zh = load_catalog(client.app.state.settings.static_dir, "zh-CN")
    assert '<html lang="zh-CN">' in response.text
    assert f'data-i18n="controls.train" disabled>{zh["controls.train"]}<' in response.text
    assert embedded_catalog(response.text) == zh
    assert "Accept-Language" in response.headers["vary"]


def test_cookie_overrides_accept_language(client: TestClient) -> None:
    client.cookies.set("nnlive_lang", "en")
    response = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in response.text
    client.cookies.set("nnlive_lang", "zh-CN")
    assert '<html lang="zh-CN">' in client.get("/").text


def test_chapter_one_pages_speak_chinese(client: TestClient) -> None:
    zh = {"Accept-Language": "zh-CN"}
    assert "四种学习方式" in client.get("/learning", headers=zh).text
    assert "反向传播，逐个数字" in client.get("/backprop", headers=zh).text
    assert "第一章" in client.get("/", headers=zh).text
