// Words and formats of the console in Chinese and English. Numbers, money and dates follow the
// chosen locale (Intl); dates and times are shown in the programme's time zone.
const WORDS = {
  en: {
    title: 'Tally console', logout: 'Log out', login: 'Log in', token: 'Bearer token',
    loginHint: 'Paste a token from TALLY_API_TOKENS (npm start prints an ops token).', badToken: 'This token is not accepted.',
    overview: 'Overview', stores: 'Stores', leaderboards: 'Leaderboards', member: 'Member', ops: 'Operations',
    liability: 'Outstanding points', cashValue: 'Cash value', breakage: 'Breakage rate', active30: 'Active members (30 days)',
    members: 'Members', lag: 'Read model lag', earned: 'Earned', redeemed: 'Redeemed', captured: 'Captured', expired: 'Expired',
    clawedBack: 'Clawed back', adjusted: 'Adjusted', burnt: 'Burnt (redeemed + captured)', earnBurn: 'Earn and burn per day',
    tierMix: 'Tier mix', from: 'From', to: 'To', apply: 'Apply', store: 'Store', events: 'Events', storesCompared: 'Stores compared',
    period: 'Period', key: 'Period key', day: 'Day', week: 'Week', month: 'Month', campaign: 'Campaign', rank: 'Rank',
    points: 'Points', memberId: 'Member id', show: 'Show', myRank: 'A member\'s rank', allStores: 'All stores',
    search: 'Search', asOf: 'Balance as of (programme time)', available: 'Available', pending: 'Pending', held: 'Held',
    lifetimeEarned: 'Lifetime earned', tier: 'Tier', lots: 'Open lots', lotId: 'Lot', remaining: 'Remaining', expiresAt: 'Expires',
    holds: 'Open holds', holdId: 'Hold', history: 'History', chain: 'Hash chain', chainOk: 'linked', chainBroken: 'broken',
    tierHistory: 'Tier history', type: 'Type', occurredAt: 'Occurred', version: 'Version', notFound: 'Not found',
    deadLetters: 'Dead letters', rejections: 'Rejections', parked: 'Parked inputs', reason: 'Reason', topic: 'Topic', at: 'At',
    runAudit: 'Run audit', runReplay: 'Replay and compare', rebuild: 'Rebuild analytics', running: 'Running', done: 'Done',
    opsOnly: 'Ops only: this token cannot change anything.', none: 'None', seconds: 's', behind: 'positions behind',
    rewards: 'Redemptions by reward', reward: 'Reward', redemptions: 'Redemptions', noStoreLiability: 'Liability and tiers are programme-wide: not shown to a store token.',
    role: 'Role', elapsed: 'elapsed', progress: 'Progress', from_: 'from', to_: 'to',
  },
  'zh-CN': {
    title: 'Tally 积分控制台', logout: '退出', login: '登录', token: '访问令牌',
    loginHint: '粘贴 TALLY_API_TOKENS 中的令牌（npm start 会打印一个运营令牌）。', badToken: '此令牌无效。',
    overview: '总览', stores: '门店对比', leaderboards: '积分排行榜', member: '会员查询', ops: '运营',
    liability: '未兑付积分', cashValue: '折合金额', breakage: '积分失效率', active30: '活跃会员（30天）',
    members: '会员数', lag: '读模型延迟', earned: '发放', redeemed: '兑换', captured: '冻结扣除', expired: '过期',
    clawedBack: '退款扣回', adjusted: '调整', burnt: '消耗（兑换 + 冻结扣除）', earnBurn: '每日积分发放与消耗',
    tierMix: '等级分布', from: '开始', to: '结束', apply: '查询', store: '门店', events: '事件数', storesCompared: '门店对比',
    period: '周期', key: '周期值', day: '日', week: '周', month: '月', campaign: '活动', rank: '名次',
    points: '积分', memberId: '会员号', show: '显示', myRank: '会员名次', allStores: '全部门店',
    search: '查询', asOf: '余额时点（项目时区）', available: '可用', pending: '待生效', held: '冻结',
    lifetimeEarned: '累计获得', tier: '等级', lots: '积分批次', lotId: '批次', remaining: '剩余', expiresAt: '到期',
    holds: '冻结中', holdId: '冻结单', history: '流水', chain: '哈希链', chainOk: '连续', chainBroken: '断裂',
    tierHistory: '等级变更', type: '类型', occurredAt: '发生时间', version: '版本', notFound: '未找到',
    deadLetters: '死信', rejections: '业务拒绝', parked: '等待中的输入', reason: '原因', topic: '主题', at: '时间',
    runAudit: '运行审计', runReplay: '重放并比对', rebuild: '重建分析数据', running: '运行中', done: '完成',
    opsOnly: '仅运营角色可操作：此令牌不能修改任何数据。', none: '无', seconds: '秒', behind: '个位置未处理',
    rewards: '按奖品的兑换', reward: '奖品', redemptions: '兑换次数', noStoreLiability: '未兑付积分与等级分布属于整个项目，门店令牌不可见。',
    role: '角色', elapsed: '已用时', progress: '进度', from_: '从', to_: '到',
  },
};

export const TIME_ZONE = 'Asia/Shanghai';

let locale = sessionStorage.getItem('tally.lang') || (navigator.language?.startsWith('zh') ? 'zh-CN' : 'en');
if (!WORDS[locale]) locale = 'zh-CN';

export const getLocale = () => locale;
export const setLocale = (next) => {
  locale = WORDS[next] ? next : 'zh-CN';
  sessionStorage.setItem('tally.lang', locale);
  document.documentElement.lang = locale;
};

export const t = (key) => WORDS[locale][key] ?? WORDS.en[key] ?? key;

export const num = (value) => (value === null || value === undefined ? '—' : new Intl.NumberFormat(locale).format(value));
export const money = (minor, currency) =>
  new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: locale === 'zh-CN' ? 'symbol' : 'code' }).format(minor / 100);
export const percent = (ratio) =>
  ratio === null || ratio === undefined ? '—' : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
export const dateTime = (iso) =>
  iso ? new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso)) : '—';
export const dayLabel = (day) =>
  new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(new Date(`${day}T00:00:00Z`));

/** Fills every element with `data-i18n` from the words of the current locale. */
export const translateStatic = (root = document) => {
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
};
