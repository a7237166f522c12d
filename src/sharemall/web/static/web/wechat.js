// Inside WeChat's browser only (templates/web/wechat/assets.html). Once WeChat's bridge is
// ready: configures the JS-SDK through /api/v1/wechat/jssdk-config (signed on the server from
// the jsapi_ticket), sets the page's share card (<meta name="sharemall-share">, with the
// member's own share link), opens WeChat Pay's sheet for a JSAPI payment
// ([data-wechat-pay]) and the payee's confirmation of a WeChat payout ([data-wechat-transfer]).
(function () {
  "use strict";

  // WeChat's JS-SDK, fetched only once the bridge is there (a browser outside WeChat never
  // loads it): its address is on our own <script data-sdk>, so the CSP allows it as 'self'.
  var sdkSrc = document.currentScript ? document.currentScript.getAttribute("data-sdk") : "";
  var sdk = null;
  function loadSdk() {
    if (sdk) return sdk;
    sdk = window.wx ? Promise.resolve() : new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = sdkSrc;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return sdk;
  }

  function csrf() {
    var found = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }

  function post(url, body, type) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": type, "X-CSRFToken": csrf() },
      body: body,
    }).then(function (answer) {
      return answer.ok ? answer.json() : Promise.reject(answer.status);
    });
  }

  function whenBridge(run) {
    if (window.WeixinJSBridge) run();
    else document.addEventListener("WeixinJSBridgeReady", run, false);
  }

  var configured = null;
  function configure() {
    if (configured) return configured;
    configured = loadSdk().then(function () {
      return post(
        "/api/v1/wechat/jssdk-config",
        JSON.stringify({ url: location.href.split("#")[0] }),
        "application/json"
      );
    }).then(function (c) {
      return new Promise(function (resolve, reject) {
        window.wx.config({
          appId: c.app_id,
          timestamp: c.timestamp,
          nonceStr: c.nonce_str,
          signature: c.signature,
          jsApiList: ["updateAppMessageShareData", "updateTimelineShareData", "requestMerchantTransfer"],
        });
        window.wx.ready(resolve);
        window.wx.error(reject);
      });
    });
    return configured;
  }

  function shareCard(meta) {
    var d = meta.dataset;
    var link = d.member !== undefined && d.targetType
      ? post("/wechat/share-link", new URLSearchParams({ target_type: d.targetType, target_id: d.targetId }), "application/x-www-form-urlencoded")
          .then(function (a) { return a.url; }, function () { return d.link || location.href.split("#")[0]; })
      : Promise.resolve(d.link || location.href.split("#")[0]);
    Promise.all([link, configure()]).then(function (done) {
      var card = { title: d.title || document.title, desc: d.desc || "", link: done[0], imgUrl: d.image || "" };
      window.wx.updateAppMessageShareData(card);
      window.wx.updateTimelineShareData({ title: card.title, link: card.link, imgUrl: card.imgUrl });
    }, function () { /* no card: WeChat shares the bare address */ });
  }

  function pay(button) {
    var params = JSON.parse(button.dataset.wechatPay);
    var go = function () {
      window.WeixinJSBridge.invoke("getBrandWCPayRequest", params, function (answer) {
        // The sandbox (WECHAT_SANDBOX): WeChat Pay's "ok" is the sandbox payment completing.
        var sandbox = button.dataset.sandboxForm && document.querySelector(button.dataset.sandboxForm);
        if (sandbox && answer && answer.err_msg === "get_brand_wcpay_request:ok") {
          sandbox.submit();
          return;
        }
        // Paid, cancelled or failed: the pay page tells which once WeChat Pay has told us.
        location.href = button.dataset.done;
      });
    };
    button.addEventListener("click", go);
    go();
  }

  function confirmTransfer(button) {
    button.addEventListener("click", function () {
      configure().then(function () {
        window.WeixinJSBridge.invoke(
          "requestMerchantTransfer",
          { mchId: button.dataset.mchId, appId: button.dataset.appId, package: button.dataset.package },
          function () { location.reload(); }
        );
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    whenBridge(function () {
      var meta = document.querySelector('meta[name="sharemall-share"]');
      if (meta) shareCard(meta);
      document.querySelectorAll("[data-wechat-pay]").forEach(pay);
      document.querySelectorAll("[data-wechat-transfer]").forEach(confirmTransfer);
    });
  });
})();
