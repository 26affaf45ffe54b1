/**
 * Name pools of the generated population: surnames common in northern Kyushu
 * (weighted), given names by sex and birth-year era, variant-character
 * surnames (異体字 in Unicode, ideographic variation sequences, 外字 in the
 * private use area), and foreign residents by nationality.
 *
 * Furigana are hiragana throughout (as in the certificate fixtures); a space
 * between surname and given name is the ideographic space U+3000.
 *
 * @module
 */

import { type Rng, WeightedTable } from "./random.ts";

/** A surname with its reading and the characters a seal shows. */
export interface Surname {
  /** As stored and printed (may hold an IVS or a 外字). */
  kanji: string;
  kana: string;
  /** Plain characters to draw on a seal impression (no selectors, no 外字). */
  seal: string;
}

function parsePairs(spec: string): [string, string][] {
  return spec.trim().split(/\s+/).map((p) => p.split("/") as [string, string]);
}

// "kanji/kana" pairs, most frequent first; weights fall off like a Zipf law.
const COMMON_SURNAMES = parsePairs(`
田中/たなか 中村/なかむら 松本/まつもと 井上/いのうえ 山本/やまもと 古賀/こが 吉田/よしだ 山口/やまぐち
林/はやし 原田/はらだ 佐藤/さとう 高橋/たかはし 渡辺/わたなべ 伊藤/いとう 小林/こばやし 加藤/かとう
山田/やまだ 佐々木/ささき 山崎/やまさき 森/もり 池田/いけだ 橋本/はしもと 石井/いしい 清水/しみず
前田/まえだ 藤田/ふじた 岡田/おかだ 後藤/ごとう 長谷川/はせがわ 村上/むらかみ 近藤/こんどう 石川/いしかわ
坂本/さかもと 遠藤/えんどう 青木/あおき 藤井/ふじい 西村/にしむら 福田/ふくだ 太田/おおた 三浦/みうら
藤原/ふじわら 岡本/おかもと 松田/まつだ 中川/なかがわ 中野/なかの 原/はら 小川/おがわ 中島/なかしま
野口/のぐち 宮崎/みやざき 江口/えぐち 永田/ながた 柴田/しばた 内田/うちだ 酒井/さかい 工藤/くどう
横山/よこやま 宮本/みやもと 安藤/あんどう 今村/いまむら 大塚/おおつか 平野/ひらの 松尾/まつお 野田/のだ
末松/すえまつ 大庭/おおば 白石/しらいし 有田/ありた 城戸/きど 久保/くぼ 吉村/よしむら 安部/あべ
稲田/いなだ 荒木/あらき 平田/ひらた 大石/おおいし 馬場/ばば 浜田/はまだ 堀/ほり 久保田/くぼた
上野/うえの 永松/ながまつ 桑野/くわの 藤本/ふじもと 重松/しげまつ 木村/きむら 斎藤/さいとう 松井/まつい
河野/こうの 野村/のむら 菊池/きくち 西田/にしだ 鬼塚/おにつか 柳田/やなぎだ 秋山/あきやま 矢野/やの
田村/たむら 緒方/おがた 徳永/とくなが 宮原/みやはら 吉川/よしかわ 杉本/すぎもと 本田/ほんだ 大野/おおの
河村/かわむら 竹下/たけした 堤/つつみ 高木/たかぎ 井手/いで 権藤/ごんどう 占部/うらべ 麻生/あそう
花田/はなだ 水野/みずの 小野/おの 熊谷/くまがい 渕上/ふちがみ 末永/すえなが 福島/ふくしま 尾崎/おざき
東/ひがし 日高/ひだか 佐伯/さえき 津田/つだ 長尾/ながお 岩崎/いわさき 松永/まつなが 宮田/みやた
`);

/** Unicode variant forms (異体字) people insist on: plain characters, no selector. */
const VARIANT_SURNAMES: Surname[] = [
  { kanji: "髙橋", kana: "たかはし", seal: "髙橋" },
  { kanji: "渡邉", kana: "わたなべ", seal: "渡邉" },
  { kanji: "渡邊", kana: "わたなべ", seal: "渡邊" },
  { kanji: "齋藤", kana: "さいとう", seal: "齋藤" },
  { kanji: "齊藤", kana: "さいとう", seal: "齊藤" },
  { kanji: "濵田", kana: "はまだ", seal: "濵田" },
  { kanji: "﨑山", kana: "さきやま", seal: "崎山" },
];

/** Ideographic variation sequences and a supplementary-plane character. */
const IVS_SURNAMES: Surname[] = [
  { kanji: "葛\u{E0100}城", kana: "かつらぎ", seal: "葛城" },
  { kanji: "葛\u{E0101}西", kana: "かさい", seal: "葛西" },
  { kanji: "辻\u{E0101}", kana: "つじ", seal: "辻" },
  { kanji: "辻\u{E0100}本", kana: "つじもと", seal: "辻本" },
  { kanji: "\u{20BB7}田", kana: "よしだ", seal: "吉田" },
  { kanji: "芦\u{E0100}田", kana: "あしだ", seal: "芦田" },
];

/** Surnames whose first character gets a 外字 (private use area) code point. */
const GAIJI_BASES = parsePairs(
  "高田/たかだ 吉原/よしはら 塚本/つかもと 浜口/はまぐち 高木/たかぎ 柳川/やながわ",
);

/** The 外字 code point a seeded surname uses: one per base surname. */
function seedGaijiCodePoint(base: string): number {
  return 0xe000 + GAIJI_BASES.findIndex(([kanji]) => kanji === base);
}

/**
 * The seeded population's 外字: for each private-use code point it uses, the
 * ordinary character it is a variant of (its glyph stands in for the
 * municipality's registered outline, e.g. はしご高 drawn as 高).
 */
export const SEED_GAIJI: readonly { codePoint: number; base: string }[] =
  GAIJI_BASES.map(([kanji]) => ({
    codePoint: seedGaijiCodePoint(kanji),
    base: kanji[0],
  }));

/** Shares of variant surnames among households. */
export const SURNAME_SHARES = {
  variant: 0.01,
  ivs: 0.004,
  gaiji: 0.003,
} as const;

const COMMON_TABLE = new WeightedTable(
  COMMON_SURNAMES.map(([kanji, kana], i) =>
    [{ kanji, kana, seal: kanji }, 1 / (i + 8)] as const
  ),
);

/**
 * Draws a Japanese surname: mostly common ones, a few percent of variant
 * forms, IVS sequences and 外字.
 *
 * @example
 * ```ts ignore
 * pickSurname(new Rng(1)).kana; // e.g. "たなか"
 * ```
 */
export function pickSurname(rng: Rng): Surname {
  const u = rng.float();
  if (u < SURNAME_SHARES.gaiji) {
    const [base, kana] = rng.pick(GAIJI_BASES);
    // This draw chose the code point before seeded 外字 had glyphs; kept so
    // the rest of a seeded population stays as it was.
    rng.int(0x100);
    const pua = String.fromCodePoint(seedGaijiCodePoint(base));
    return { kanji: pua + base.slice(1), kana, seal: base };
  }
  if (u < SURNAME_SHARES.gaiji + SURNAME_SHARES.ivs) {
    return rng.pick(IVS_SURNAMES);
  }
  if (u < SURNAME_SHARES.gaiji + SURNAME_SHARES.ivs + SURNAME_SHARES.variant) {
    return rng.pick(VARIANT_SURNAMES);
  }
  return COMMON_TABLE.pick(rng);
}

/** A given name and its reading. */
export interface GivenName {
  kanji: string;
  kana: string;
}

function givenPool(spec: string): GivenName[] {
  return parsePairs(spec).map(([kanji, kana]) => ({ kanji, kana }));
}

const GIVEN: Record<"male" | "female", readonly GivenName[][]> = {
  male: [
    givenPool(
      `清/きよし 正雄/まさお 和夫/かずお 博/ひろし 茂/しげる 勝/まさる 実/みのる 進/すすむ 隆/たかし
      豊/ゆたか 修/おさむ 武/たけし 昭/あきら 稔/みのる 弘/ひろし 幸雄/ゆきお 一郎/いちろう 義雄/よしお
      光男/みつお 健一/けんいち 敏夫/としお 秀雄/ひでお 正/ただし 勇/いさむ`,
    ),
    givenPool(
      `誠/まこと 健太/けんた 大輔/だいすけ 拓也/たくや 直樹/なおき 和也/かずや 浩二/こうじ 剛/つよし
      達也/たつや 哲也/てつや 秀樹/ひでき 雄一/ゆういち 智之/ともゆき 亮/りょう 翔/しょう 健二/けんじ
      裕介/ゆうすけ 淳/じゅん 聡/さとし 慎一/しんいち 英樹/ひでき 貴之/たかゆき`,
    ),
    givenPool(
      `翔太/しょうた 蓮/れん 大翔/ひろと 悠真/ゆうま 湊/みなと 陽翔/はると 蒼/あおい 颯太/そうた
      樹/いつき 悠斗/ゆうと 大和/やまと 陸/りく 朝陽/あさひ 拓海/たくみ 優斗/ゆうと 健/けん 奏太/かなた
      蒼空/そら 律/りつ 碧/あお 凌/りょう 匠/たくみ`,
    ),
  ],
  female: [
    givenPool(
      `和子/かずこ 幸子/さちこ 節子/せつこ 洋子/ようこ 恵子/けいこ 京子/きょうこ 美智子/みちこ
      久子/ひさこ 弘子/ひろこ 千代子/ちよこ 文子/ふみこ 静子/しずこ 澄子/すみこ 照子/てるこ 悦子/えつこ
      信子/のぶこ 順子/じゅんこ 典子/のりこ 陽子/ようこ 淑子/よしこ トミ/とみ ハル子/はるこ`,
    ),
    givenPool(
      `裕子/ゆうこ 真由美/まゆみ 久美子/くみこ 智子/ともこ 直美/なおみ 恵/めぐみ 愛/あい 香織/かおり
      明美/あけみ 由美/ゆみ 美穂/みほ さおり/さおり 彩/あや 麻衣/まい 舞/まい 沙織/さおり 奈々/なな
      友美/ともみ 亜希子/あきこ 千尋/ちひろ 聡子/さとこ 美香/みか`,
    ),
    givenPool(
      `陽菜/ひな 結衣/ゆい 凛/りん 結菜/ゆいな 美咲/みさき 葵/あおい 芽依/めい 紬/つむぎ 咲良/さくら
      莉子/りこ 杏/あん 心春/こはる 美桜/みお 彩花/あやか 七海/ななみ 花/はな 澪/みお 楓/かえで
      琴音/ことね 結愛/ゆあ 日葵/ひまり 莉緒/りお`,
    ),
  ],
};

/**
 * A given name typical of the birth year (before 1965, 1965–1994, after).
 *
 * @example
 * ```ts ignore
 * pickGivenName(new Rng(1), "female", 1950).kanji; // e.g. "和子"
 * ```
 */
export function pickGivenName(
  rng: Rng,
  sex: "male" | "female",
  birthYear: number,
): GivenName {
  const era = birthYear < 1965 ? 0 : birthYear < 1995 ? 1 : 2;
  return rng.pick(GIVEN[sex][era]);
}

/** Residence status with its possible periods of stay (empty: no period, e.g. 永住者). */
export interface ResidenceStatusSpec {
  status: string;
  periods: readonly string[];
}

const PERIODS: Record<string, readonly string[]> = {
  "永住者": [],
  "特別永住者": [],
  "技術・人文知識・国際業務": ["1年", "3年", "5年"],
  "留学": ["1年", "1年3月", "2年", "4年3月"],
  "技能実習": ["1年", "2年"],
  "特定技能": ["1年", "3年"],
  "家族滞在": ["1年", "3年", "5年"],
  "日本人の配偶者等": ["1年", "3年", "5年"],
  "定住者": ["1年", "3年", "5年"],
  "教育": ["1年", "3年"],
  "技能": ["1年", "3年", "5年"],
  "経営・管理": ["1年", "3年"],
};

/**
 * The period of stay in days (approximate), for expiry dates.
 *
 * @example
 * ```ts
 * periodDays("1年3月"); // 456
 * ```
 */
export function periodDays(period: string): number {
  const m = /^(?:(\d+)年)?(?:(\d+)月)?$/.exec(period);
  if (!m) throw new RangeError(`Unknown period of stay "${period}"`);
  return Math.round(Number(m[1] ?? 0) * 365 + Number(m[2] ?? 0) * 30.4);
}

/** A nationality with its name pools, share and typical statuses. */
export interface Nationality {
  /** 国籍・地域 as printed. */
  name: string;
  /** Surnames: alphabetic, kana, optional kanji form (漢字圏). */
  surnames: readonly { alpha: string; kana: string; kanji?: string }[];
  /** Given names by sex. */
  given: Record<
    "male" | "female",
    readonly { alpha: string; kana: string; kanji?: string }[]
  >;
  /** Weighted residence statuses of adults. */
  statuses: WeightedTable<string>;
  /** Probability of a 通称. */
  aliasRate: number;
}

function alphaPool(
  spec: string,
): { alpha: string; kana: string; kanji?: string }[] {
  return spec.trim().split(/\s+/).map((p) => {
    const [alpha, kana, kanji] = p.split("/");
    return {
      alpha: alpha.replaceAll("_", " "),
      kana: kana.replaceAll("_", "　"),
      kanji,
    };
  });
}

function statuses(spec: Record<string, number>): WeightedTable<string> {
  return new WeightedTable(Object.entries(spec));
}

/** Foreign residents by nationality (weights roughly those of Kitakyushu). */
export const NATIONALITIES: WeightedTable<Nationality> = new WeightedTable<
  Nationality
>([
  [{
    name: "中国",
    surnames: alphaPool(
      "WANG/わん/王 LI/りー/李 ZHANG/ちゃん/張 LIU/りゅう/劉 CHEN/ちぇん/陳 YANG/やん/楊 ZHAO/ちゃお/趙",
    ),
    given: {
      male: alphaPool(
        "WEI/うぇい/偉 LEI/れい/磊 JUN/じゅん/軍 HAO/はお/浩 MING/みん/明",
      ),
      female: alphaPool(
        "FANG/ふぁん/芳 JING/じん/静 LI/りー/麗 YAN/いぇん/燕 XIU/しう/秀",
      ),
    },
    statuses: statuses({
      "永住者": 30,
      "留学": 25,
      "技術・人文知識・国際業務": 20,
      "技能実習": 10,
      "家族滞在": 10,
      "日本人の配偶者等": 5,
    }),
    aliasRate: 0.1,
  }, 28],
  [{
    name: "ベトナム",
    surnames: alphaPool(
      "NGUYEN/ぐえん TRAN/ちゃん LE/れ PHAM/ふぁむ HOANG/ほあん VU/ぶ DANG/だん",
    ),
    given: {
      male: alphaPool(
        "VAN_AN/ゔぁん_あん VAN_NAM/ゔぁん_なむ DUC_TUAN/どぅっく_とぅあん MINH_DUC/みん_どぅっく QUANG_HUY/くぁん_ふい",
      ),
      female: alphaPool(
        "THI_HOA/てぃ_ほあ THI_LINH/てぃ_りん THI_MAI/てぃ_まい THU_HUONG/とぅ_ふおん NGOC_ANH/ごっく_あん",
      ),
    },
    statuses: statuses({
      "技能実習": 40,
      "特定技能": 20,
      "留学": 20,
      "技術・人文知識・国際業務": 15,
      "家族滞在": 5,
    }),
    aliasRate: 0,
  }, 26],
  [{
    name: "韓国",
    surnames: alphaPool(
      "KIM/きむ/金 LEE/い/李 PARK/ぱく/朴 CHOI/ちぇ/崔 JUNG/ちょん/鄭 KANG/かん/姜",
    ),
    given: {
      male: alphaPool(
        "MINJUN/みんじゅん/敏俊 HYUNWOO/ひょんう/賢宇 YOUNGHO/よんほ/英浩 SUNGMIN/そんみん/成民",
      ),
      female: alphaPool(
        "SEOYEON/そよん/瑞妍 MIKYUNG/みぎょん/美京 JIWOO/じう/智友 EUNJI/うんじ/恩知",
      ),
    },
    statuses: statuses({
      "特別永住者": 60,
      "永住者": 15,
      "留学": 10,
      "技術・人文知識・国際業務": 10,
      "日本人の配偶者等": 5,
    }),
    aliasRate: 0.6,
  }, 16],
  [{
    name: "フィリピン",
    surnames: alphaPool(
      "SANTOS/さんとす REYES/れいえす CRUZ/くるす BAUTISTA/ばうてぃすた GARCIA/がるしあ",
    ),
    given: {
      male: alphaPool("JOSE/ほせ MARK/まーく JOHN/じょん RAFAEL/らふぁえる"),
      female: alphaPool("MARIA/まりあ ANA/あな GRACE/ぐれーす JOY/じょい"),
    },
    statuses: statuses({
      "永住者": 35,
      "日本人の配偶者等": 25,
      "定住者": 20,
      "特定技能": 15,
      "技能実習": 5,
    }),
    aliasRate: 0.05,
  }, 10],
  [{
    name: "ネパール",
    surnames: alphaPool(
      "GURUNG/ぐるん TAMANG/たまん SHRESTHA/しゅれすた RAI/らい MAGAR/まがる",
    ),
    given: {
      male: alphaPool("RAM/らむ BIKASH/びかす SURESH/すれす ANIL/あにる"),
      female: alphaPool("SITA/しーた ANITA/あにた SABINA/さびな GITA/ぎーた"),
    },
    statuses: statuses({
      "留学": 50,
      "技能": 20,
      "家族滞在": 20,
      "技術・人文知識・国際業務": 10,
    }),
    aliasRate: 0,
  }, 6],
  [{
    name: "インドネシア",
    surnames: alphaPool(
      "PRATAMA/ぷらたま SAPUTRA/さぷとら WIJAYA/うぃじゃや SARI/さり",
    ),
    given: {
      male: alphaPool("BUDI/ぶでぃ AGUS/あぐす RIZKY/りずき"),
      female: alphaPool("DEWI/でうぃ RINI/りに SITI/してぃ"),
    },
    statuses: statuses({ "技能実習": 50, "特定技能": 35, "留学": 15 }),
    aliasRate: 0,
  }, 5],
  [{
    name: "アメリカ合衆国",
    surnames: alphaPool(
      "SMITH/すみす JOHNSON/じょんそん BROWN/ぶらうん MILLER/みらー DAVIS/でいびす",
    ),
    given: {
      male: alphaPool(
        "JOHN/じょん MICHAEL/まいける DAVID/でいびっど JAMES/じぇーむず",
      ),
      female: alphaPool(
        "EMILY/えみりー SARAH/さら JESSICA/じぇしか LAURA/ろーら",
      ),
    },
    statuses: statuses({
      "技術・人文知識・国際業務": 40,
      "教育": 30,
      "永住者": 20,
      "日本人の配偶者等": 10,
    }),
    aliasRate: 0.05,
  }, 3],
  [{
    name: "台湾",
    surnames: alphaPool(
      "CHEN/ちぇん/陳 LIN/りん/林 HUANG/ほあん/黄 WU/うー/呉",
    ),
    given: {
      male: alphaPool("CHIHAO/ちーはお/志豪 CHENGEN/ちぇんえん/承恩"),
      female: alphaPool("YITING/いーてぃん/怡婷 SHUFEN/しゅーふぇん/淑芬"),
    },
    statuses: statuses({
      "永住者": 40,
      "留学": 30,
      "技術・人文知識・国際業務": 30,
    }),
    aliasRate: 0.1,
  }, 3],
  [{
    name: "ミャンマー",
    surnames: alphaPool("AUNG/あうん KYAW/ちょー THANT/たん"),
    given: {
      male: alphaPool("MIN_HTET/みん_てっ ZAW_WIN/ぞー_うぃん"),
      female: alphaPool("MYA_MYA/みゃ_みゃ SU_SU/す_す"),
    },
    statuses: statuses({ "技能実習": 50, "特定技能": 30, "留学": 20 }),
    aliasRate: 0,
  }, 3],
]);

/**
 * The periods a residence status allows (empty for permanent statuses).
 *
 * @example
 * ```ts
 * residencePeriods("永住者"); // []
 * ```
 */
export function residencePeriods(status: string): readonly string[] {
  const p = PERIODS[status];
  if (!p) throw new RangeError(`Unknown residence status "${status}"`);
  return p;
}

/**
 * Hiragana → katakana (other characters unchanged).
 *
 * @example
 * ```ts
 * toKatakana("ぐえん"); // "グエン"
 * ```
 */
export function toKatakana(text: string): string {
  return text.replace(
    /[\u3041-\u3096]/g,
    (c) => String.fromCharCode(c.charCodeAt(0) + 0x60),
  );
}
