"""The /replay page: served without any session, in the visitor's language, listing the pages it may open."""

import json
import re

from fastapi.testclient import TestClient

from app.api.pages import PAGES
from app.api.security import CONTENT_SECURITY_POLICY


def test_replay_page_lists_the_model_pages_and_loads_its_script(client: TestClient) -> None:
    response = client.get("/replay")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    pages = json.loads(re.search(r"data-pages='([^']+)'", response.text).group(1))
    assert pages == [page.path for page in PAGES]
    assert '<script type="module" src="/static/js/pages/replay.js">' in response.text
    assert client.get("/static/js/pages/replay.js").status_code == 200


def test_replay_page_in_chinese(client: TestClient) -> None:
    html = client.get("/replay", headers={"Accept-Language": "zh-CN"}).text
    assert "回放录制" in html


def test_home_links_to_replay(client: TestClient) -> None:
    assert 'href="/replay"' in client.get("/").text
