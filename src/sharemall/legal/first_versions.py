# ruff: noqa: E501  (paragraphs of Chinese prose, one per line)
"""The first published version of the user agreement and the privacy policy: a short, honest
text for an open-source social-commerce platform. Operators publish later versions from the
back office."""

from __future__ import annotations

from sharemall.legal.rules import PRIVACY_POLICY, USER_AGREEMENT

FIRST_USER_AGREEMENT = (
    "ShareMall 用户协议",
    """欢迎使用 ShareMall。ShareMall 是一个开源的社交电商平台：商家在平台上开店卖货，会员购买、分享商品，并可按商家设置的规则获得分享佣金。注册或使用本平台，即表示您已阅读并同意本协议。

一、账号。您用本人手机号注册，应妥善保管密码和验证码。一个手机号只能注册一个账号。

二、交易。商品由商家销售并发货，商家对商品质量和售后负责；平台提供交易撮合、支付结算和纠纷处理。订单、支付和退款以平台记录为准。

三、分享与佣金。加入分销免费，不收取任何入门费。佣金只来自真实成交的商品，不因拉人注册而产生；退款的订单相应扣回佣金。佣金在售后期结束后结算，可申请提现。

四、行为规范。不得发布违法、虚假或侵权内容，不得刷单、套取佣金或恶意注册。违反的，平台可以隐藏内容、冻结佣金或限制账号。

五、注销。您可以随时在“设置”中注销账号。注销后个人信息将被删除或匿名化；订单、账务和佣金记录依《中华人民共和国电子商务法》第三十一条保存三年。

六、协议变更。本协议更新时会在平台公示，并请您再次确认。""",
)

FIRST_PRIVACY_POLICY = (
    "ShareMall 隐私政策",
    """本政策说明 ShareMall 收集哪些个人信息、为什么收集、保存多久，以及您享有的权利。

一、我们收集的信息
手机号：用于注册、登录和接收验证码。
昵称：在团队、评价等处显示。
收货地址（收货人、电话、地址）：用于商家发货。
订单信息：所购商品、金额、支付和售后记录。
设备标识和 IP 地址：注册和登录时记录，仅用于防范刷单、恶意注册等欺诈行为。
分享和佣金记录、提现收款账户：用于计算和支付佣金。

二、我们如何使用
仅用于提供购物、配送、售后、佣金结算和账号安全。收货信息只提供给为您发货的商家。我们不出售您的个人信息。

三、保存期限
账号存续期间保存您的个人信息。订单、账务和佣金记录依《中华人民共和国电子商务法》第三十一条，自交易完成之日起保存不少于三年。

四、您的权利
您可以在“设置”中随时下载您的个人数据（JSON 格式）。您可以注销账号：注销后手机号、昵称、地址、设备标识等个人信息将被删除或匿名化，该手机号可重新注册；依法须保存的订单和账务记录会保留，但不再与您的身份关联显示。

五、联系我们
对本政策有疑问，或需要行使您的权利，请通过平台客服或运营方公布的联系方式与我们联系。""",
)

FIRST_VERSIONS = {USER_AGREEMENT: FIRST_USER_AGREEMENT, PRIVACY_POLICY: FIRST_PRIVACY_POLICY}
