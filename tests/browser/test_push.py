"""“Bật thông báo” in real Chromium, then a status change travels API → outbox → worker → push
service → service worker → a Vietnamese notification.

Headless Chromium cannot reach a real push service (FCM) from a test machine, so the page's
``pushManager`` hands out a subscription on the suite's local push service instead; everything
after it is real: the app posts it, the in-process worker encrypts and signs, the push service
verifies and decrypts, and the decrypted message is delivered to the service worker through the
DevTools protocol (``ServiceWorker.deliverPushMessage``), as the browser would deliver it."""

from __future__ import annotations

import json
import time

from playwright.sync_api import expect

from tests.browser.conftest import Phone, new_subscription, receipts, send_agency_event, submitted_dossier

LOCAL_PUSH_MANAGER = """(() => {
  const subscription = %s;
  let current = null;
  const make = () => ({
    endpoint: subscription.endpoint, expirationTime: null, options: { userVisibleOnly: true },
    toJSON: () => subscription,
    unsubscribe: async () => { current = null; return true; },
  });
  PushManager.prototype.subscribe = async function () { current = current || make(); return current; };
  PushManager.prototype.getSubscription = async function () { return current; };
})();"""


SHOWN_NOTIFICATIONS = """async () => {
  const list = await (await navigator.serviceWorker.ready).getNotifications();
  return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data.url }));
}"""


def delivered_to(push_service: str, endpoint: str, status: int, seconds: float = 20) -> dict:
    deadline = time.monotonic() + seconds
    subscriber = endpoint.rsplit("/", 1)[1]
    while time.monotonic() < deadline:
        for r in receipts(push_service):
            if r["subscriber"] == subscriber and r["payload"]["status"] == status:
                return r["payload"]
        time.sleep(0.2)
    raise AssertionError(f"nothing delivered to {endpoint}: {receipts(push_service)[-3:]}")


def test_bat_thong_bao_then_a_status_change_shows_a_notification(phone: Phone, stack, push_service):
    page = phone.page
    subscription = new_subscription(push_service)
    phone.context.grant_permissions(["notifications"], origin=stack["url"])
    phone.context.add_init_script(script=LOCAL_PUSH_MANAGER % json.dumps(subscription))
    code, token = submitted_dossier(stack["url"])

    phone.open(f"/#/ho-so/{code}?t={token}")
    phone.wait_for_service_worker()
    toggle = page.get_by_role("switch", name="Bật thông báo")
    expect(toggle).to_have_attribute("aria-checked", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-checked", "true")
    expect(page.get_by_text("Đã bật thông báo.")).to_be_visible()
    phone.screen("12-push-on")

    send_agency_event(stack, code, 2, "Hồ sơ đủ giấy tờ.")
    payload = delivered_to(push_service, subscription["endpoint"], 2)
    assert payload["title"] == f"Hồ sơ {code}" and payload["url"] == f"/#/ho-so/{code}"

    cdp = phone.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    registration = next(r for r in registrations if not r["isDeleted"])
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": stack["url"],
                                                  "registrationId": registration["registrationId"],
                                                  "data": json.dumps(payload, ensure_ascii=False)})
    shown, deadline = [], time.monotonic() + 10
    while not shown and time.monotonic() < deadline:
        shown = page.evaluate(SHOWN_NOTIFICATIONS)
        page.wait_for_timeout(100)
    assert shown == [{"title": f"Hồ sơ {code}", "body": payload["body"], "tag": f"ho-so-{code}",
                      "url": f"/#/ho-so/{code}"}]
    assert "Được tiếp nhận" in shown[0]["body"]
    # The open dossier page heard the service worker and shows the new status by itself.
    expect(page.locator(".timeline li").first).to_contain_text("Được tiếp nhận")

    # Off: the server forgets this device for this dossier.
    page.get_by_role("switch", name="Bật thông báo").click()
    expect(page.get_by_role("switch", name="Bật thông báo")).to_have_attribute("aria-checked", "false")
    send_agency_event(stack, code, 4)
    time.sleep(1.5)
    assert not [r for r in receipts(push_service) if r["payload"]["status"] == 4
                and r["subscriber"] == subscription["endpoint"].rsplit("/", 1)[1]]
