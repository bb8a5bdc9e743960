"""The app shell: installable, works off-line, readable at 320 px and with text zoom at 200 %."""

from __future__ import annotations

import httpx

from tests.browser.conftest import Phone

# Buttons, links styled as buttons, tabs and fields smaller than a fingertip (44 CSS px high).
TOO_SMALL = """() => [...document.querySelectorAll('main a.button, main button:not(.link), nav a, main input:not([type=checkbox]):not([type=radio]), main select')]
  .filter((e) => e.offsetParent).filter((e) => e.getBoundingClientRect().height < 43.5)
  .map((e) => e.outerHTML.slice(0, 80))"""


def test_manifest_and_service_worker_are_served_for_install(stack):
    manifest = httpx.get(f"{stack['url']}/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["lang"] == "vi" and body["name"] == "Trợ lý Dịch vụ công" and body["display"] == "standalone"
    assert body["id"] == "/" and body["scope"] == "/" and body["theme_color"]
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in body["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in body["icons"]:
        assert httpx.get(f"{stack['url']}{icon['src']}").headers["content-type"] == "image/png"
    sw = httpx.get(f"{stack['url']}/sw.js")
    assert sw.status_code == 200 and sw.headers["service-worker-allowed"] == "/"
    assert "__BUILD__" not in sw.text and "no-cache" in sw.headers["cache-control"]
    shell = httpx.get(stack["url"])
    assert "script-src 'self'" in shell.headers["content-security-policy"]
    assert 'lang="vi"' in shell.text and "__BUILD__" not in shell.text


def test_chromium_reports_no_installability_errors(installed_phone: Phone):
    phone = installed_phone
    phone.open("/")
    phone.wait_for_service_worker()
    cdp = phone.context.new_cdp_session(phone.page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest.get("errors"), manifest["errors"]


def test_offline_reload_shows_the_shell_and_procedures_already_opened(phone: Phone):
    phone.open("/#/thu-tuc/1.001193")
    phone.page.get_by_role("heading", level=1, name="Đăng ký khai sinh").wait_for()
    phone.wait_for_service_worker()
    phone.page.reload()  # now through the service worker, which keeps the procedure
    phone.page.get_by_role("heading", level=1, name="Đăng ký khai sinh").wait_for()
    phone.context.set_offline(True)
    phone.page.reload()
    phone.page.get_by_role("heading", level=1, name="Đăng ký khai sinh").wait_for()
    assert phone.page.locator("#offline").is_visible()
    assert "Giấy tờ cần chuẩn bị" in phone.page.inner_text("main")
    phone.screen("offline-procedure")
    # A procedure never opened cannot be read off-line: said plainly, in Vietnamese.
    phone.page.goto("/#/thu-tuc/3.000348")
    phone.page.get_by_role("heading", level=1, name="Không có mạng").wait_for()
    assert "chưa được lưu" in phone.page.inner_text("main")
    phone.context.set_offline(False)


def test_usable_at_320_px_and_with_text_zoom_at_200_percent(browser, stack):
    for width, zoom in ((320, 100), (360, 200)):
        device = Phone(browser, stack["url"])
        device.page.set_viewport_size({"width": width, "height": 740})
        try:
            for path in ("/", "/#/thu-tuc?q=khai%20sinh", "/#/thu-tuc/1.001193", "/#/ho-so"):
                device.open(path)
                device.page.wait_for_load_state("networkidle")
                if zoom != 100:  # what Android's font size setting does: the root font grows
                    device.page.evaluate(f"document.documentElement.style.fontSize = '{zoom}%'")
                overflow = device.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px, zoom {zoom}%"
                small = device.page.evaluate(TOO_SMALL)
                assert not small, f"tap targets under 44 px on {path}: {small}"
        finally:
            device.context.close()
        assert not device.errors, device.errors
