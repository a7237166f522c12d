/* The simulator's stand-in for WeChat's in-app bridge (WeixinJSBridge), for pages tried in an
   ordinary browser under WECHAT_SANDBOX: what WeChat's browser provides natively. It answers
   getBrandWCPayRequest (JSAPI payment) with WeChat Pay's sheet — 确认支付 or 取消 — and every
   other call with "<name>:ok". Only the sandbox's pages load it; real WeChat has its own. */
(function () {
  "use strict";
  if (window.WeixinJSBridge) {
    return;
  }

  function paySheet(args, done) {
    var sheet = document.createElement("div");
    sheet.className = "wxsim-pay";
    sheet.setAttribute("role", "dialog");
    sheet.setAttribute("aria-modal", "true");
    var panel = document.createElement("div");
    panel.className = "wxsim-pay-panel";
    var title = document.createElement("p");
    title.className = "wxsim-pay-title";
    title.textContent = "微信支付（模拟器）";
    var what = document.createElement("p");
    what.className = "wxsim-pay-what";
    what.textContent = String(args && args["package"] || "");
    var confirm = document.createElement("button");
    confirm.type = "button";
    confirm.className = "wxsim-pay-confirm";
    confirm.setAttribute("data-wxsim-pay", "confirm");
    confirm.textContent = "确认支付";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "wxsim-pay-cancel";
    cancel.setAttribute("data-wxsim-pay", "cancel");
    cancel.textContent = "取消";
    panel.appendChild(title);
    panel.appendChild(what);
    panel.appendChild(confirm);
    panel.appendChild(cancel);
    sheet.appendChild(panel);
    function close(outcome) {
      sheet.remove();
      done({ err_msg: "get_brand_wcpay_request:" + outcome });
    }
    confirm.addEventListener("click", function () { close("ok"); });
    cancel.addEventListener("click", function () { close("cancel"); });
    document.body.appendChild(sheet);
  }

  window.WeixinJSBridge = {
    invoke: function (name, args, callback) {
      var done = typeof callback === "function" ? callback : function () {};
      if (name === "getBrandWCPayRequest") {
        paySheet(args, done);
        return;
      }
      window.setTimeout(function () { done({ err_msg: name + ":ok" }); }, 0);
    },
    on: function () {},
    call: function () {}
  };
  document.dispatchEvent(new Event("WeixinJSBridgeReady"));
})();
