"""Plausible Chinese government prose and titles, drawn deterministically from a seed."""

from __future__ import annotations

import random

_SUBJECTS = (
    "县委县政府",
    "县政府办公室",
    "县发展和改革局",
    "县财政局",
    "县教育局",
    "县卫生健康局",
    "县住房和城乡建设局",
    "县农业农村局",
    "县市场监督管理局",
    "县应急管理局",
    "县生态环境局",
    "县人力资源和社会保障局",
    "县民政局",
    "县自然资源局",
    "县交通运输局",
    "县文化广电旅游局",
    "城关镇",
    "永安镇",
    "石桥镇",
    "青龙乡",
    "白马乡",
    "县政务服务中心",
    "县统计局",
)
_ACTIONS = (
    "召开专题会议",
    "深入开展",
    "扎实推进",
    "全面部署",
    "认真贯彻落实",
    "组织开展",
    "持续深化",
    "统筹推进",
    "督导检查",
    "集中开展",
    "研究部署",
    "高质量完成",
)
_TOPICS = (
    "安全生产大检查",
    "优化营商环境工作",
    "乡村振兴重点任务",
    "森林防灭火工作",
    "冬季供暖保障工作",
    "义务教育均衡发展",
    "城乡居民医疗保险参保",
    "政务公开标准化规范化建设",
    "耕地保护专项整治",
    "食品安全专项检查",
    "河长制湖长制工作",
    "民生实事项目",
    "重点项目建设",
    "消防安全隐患排查",
    "就业创业服务活动",
    "防汛减灾准备工作",
    "城市精细化管理",
    "农村人居环境整治",
    "文明城市创建",
    "营商环境评价迎检工作",
    "一网通办能力提升",
    "基层治理体系建设",
    "老旧小区改造",
    "高标准农田建设",
)
_NOTICE_TOPICS = (
    "关于做好2026年度城乡居民基本医疗保险参保缴费工作的通知",
    "关于开展安全生产隐患排查整治的通知",
    "关于公开招聘社区工作者的公告",
    "关于拟任职干部任前公示的公告",
    "关于调整部分公交线路的通告",
    "关于2026年度政府信息公开工作年度报告的公告",
    "关于征求《县城总体规划（修编）》意见的公告",
    "关于停水停电的通知",
    "关于开展冬季消防安全检查的通知",
    "关于公布行政许可事项清单的公告",
)
_POLICY_TOPICS = (
    "县人民政府关于印发《优化营商环境若干措施》的通知",
    "县人民政府办公室关于进一步加强安全生产工作的意见",
    "县人民政府关于印发《乡村振兴实施方案》的通知",
    "县人民政府办公室关于印发《政务公开工作要点》的通知",
    "县人民政府关于调整城乡低保标准的通知",
    "县人民政府关于印发《突发事件总体应急预案》的通知",
)
_SENTENCES = (
    "会议强调，要坚持以人民为中心的发展思想，把各项工作抓紧抓实抓细。",
    "各乡镇、各部门要进一步提高思想认识，压实工作责任，确保各项措施落地见效。",
    "要坚持问题导向，聚焦群众急难愁盼问题，切实增强人民群众的获得感、幸福感、安全感。",
    "今年以来，我县围绕中心、服务大局，统筹推进经济社会发展各项工作取得积极成效。",
    "下一步，将继续加大工作力度，完善长效机制，推动工作常态化、制度化、规范化。",
    "检查组一行先后深入企业、学校、医院、集贸市场等重点场所，详细了解工作开展情况。",
    "对检查中发现的问题，现场反馈，建立台账，限期整改，做到整改到位、销号管理。",
    "会上，各责任单位分别汇报了工作推进情况、存在的困难问题以及下一步工作打算。",
    "全县上下要切实增强责任感和紧迫感，以更加务实的作风推动各项任务落地落实。",
    "要强化部门协同，形成工作合力，确保各项目标任务按时保质完成。",
    "活动现场共发放宣传资料三千余份，接受群众咨询两百余人次，取得了良好的社会效果。",
    "据统计，前三季度全县地区生产总值同比增长百分之六点二，经济运行稳中向好。",
    "各级各部门要严格落实值班值守制度，遇有突发情况及时报告、妥善处置。",
    "本次培训采取集中授课与现场教学相结合的方式，进一步提升了基层干部的业务能力。",
    "县政府将持续深化放管服改革，推进政务服务事项一网通办、一次办好。",
    "请各单位高度重视，认真组织，按照时间节点报送相关材料。",
)
_NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴霞")


def rng_for(seed: int, *parts: object) -> random.Random:
    """A private generator per (seed, page): pages render identically in any order."""
    return random.Random(f"{seed}|" + "|".join(str(p) for p in parts))


def title(rng: random.Random, kind: str) -> str:
    """An entry title fitting a column's genre (``kind`` is a ColumnClass value)."""
    if kind == "notice":
        return rng.choice(_NOTICE_TOPICS)
    if kind in ("policy", "interpretation"):
        base = rng.choice(_POLICY_TOPICS)
        return f"《{base}》政策解读" if kind == "interpretation" else base
    if kind == "personnel":
        return f"{rng.choice(_SUBJECTS)}关于{rng.choice(_NAMES)}等同志职务任免的通知"
    if kind == "finance":
        return f"{rng.choice(_SUBJECTS)}2026年部门预算公开说明"
    if kind == "statistics":
        return f"2026年{rng.randint(1, 10)}月全县主要经济指标"
    if kind == "planning":
        return f"{rng.choice(_SUBJECTS)}2026年工作计划"
    if kind == "service":
        return f"{rng.choice(_TOPICS)}办事指南"
    if kind == "faq":
        return f"如何办理{rng.choice(_TOPICS)}相关业务？"
    return f"{rng.choice(_SUBJECTS)}{rng.choice(_ACTIONS)}{rng.choice(_TOPICS)}"


def paragraphs(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(_SENTENCES) for _ in range(rng.randint(2, 5))) for _ in range(n)]


def filler(rng: random.Random, n_bytes: int) -> list[str]:
    """Paragraphs adding up to about ``n_bytes`` of UTF-8 (3 bytes a character)."""
    out: list[str] = []
    left = n_bytes
    while left > 0:
        para = "".join(rng.choice(_SENTENCES) for _ in range(rng.randint(3, 6)))
        need = left // 3
        if len(para) > need:
            para = para[: max(need, 1)]
        out.append(para)
        left -= len(para.encode("utf-8")) + 7  # <p></p>
    return out


def person(rng: random.Random) -> str:
    return rng.choice(_NAMES)
