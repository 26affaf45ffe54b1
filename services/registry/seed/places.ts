/**
 * Geography of the generated population: the municipalities the generator
 * knows (wards, 町名, share of the population), addresses in 丁目・番・号 form,
 * 方書 (building and room), 本籍, and addresses elsewhere in Japan for
 * 前住所 and move-out destinations.
 *
 * Numbers in addresses are full-width (城内１番１号), 丁目 in kanji
 * (天神一丁目), as the certificate fixtures print them.
 *
 * @module
 */

import { type Rng, WeightedTable } from "./random.ts";

/** A town (町) of a ward; `chome` = number of 丁目 (0: addresses by 番地 only). */
export interface Town {
  name: string;
  chome: number;
}

/** A ward (区) with its share of the population. */
export interface Ward {
  name: string;
  /** Relative population weight. */
  weight: number;
  towns: readonly Town[];
}

/** A municipality the generator can populate. */
export interface MunicipalityProfile {
  /** 6-digit local government code. */
  code: string;
  prefecture: string;
  name: string;
  mayor: string;
  wards: readonly Ward[];
}

function towns(spec: string): Town[] {
  // "魚町:4 京町:4 城内:0" → towns with their number of 丁目.
  return spec.trim().split(/\s+/).map((t) => {
    const [name, chome] = t.split(":");
    return { name, chome: Number(chome ?? 0) };
  });
}

/** The municipalities known to the generator, by code. */
export const MUNICIPALITIES: Readonly<Record<string, MunicipalityProfile>> = {
  "401005": {
    code: "401005",
    prefecture: "福岡県",
    name: "北九州市",
    mayor: "北九州市長　武内　和久",
    wards: [
      {
        name: "門司区",
        weight: 93,
        towns: towns(
          "大里本町:3 栄町:0 清滝:4 東門司:2 老松町:0 港町:0 西海岸:3 葛葉:3 柳町:4 大里東:4 大里新町:0 " +
            "春日町:0 恒見町:0 吉志:7 新門司:3 上馬寄:2 下馬寄:0 畑田町:0 別院:0 黄金町:0 丸山:5 光町:2",
        ),
      },
      {
        name: "小倉北区",
        weight: 180,
        towns: towns(
          "魚町:4 京町:4 紺屋町:0 船場町:0 堺町:2 浅野:3 米町:2 室町:3 大手町:0 城内:0 竪町:2 中津口:2 " +
            "片野:5 三郎丸:3 黒原:3 足立:3 熊本:3 井堀:5 赤坂:5 今町:3 金田:3 真鶴:2 清水:5 高峰町:0 " +
            "篠崎:5 原町:2 黒住町:0 上富野:5 下富野:5 木町:4 神岳:2 宇佐町:2 香春口:2 馬借:3",
        ),
      },
      {
        name: "小倉南区",
        weight: 206,
        towns: towns(
          "北方:5 守恒:6 徳力:6 葛原:5 湯川:6 沼本町:5 志井:6 横代東町:3 長野:3 蒲生:5 上葛原:2 下曽根:4 " +
            "曽根新田北:4 朽網東:6 長行東:3 企救丘:5 津田:7 中曽根:7 田原:5 上吉田:6 若園:5 南方:5 星和台:2",
        ),
      },
      {
        name: "若松区",
        weight: 80,
        towns: towns(
          "本町:3 浜町:3 白山:2 東二島:5 二島:5 小石本村町:0 藤ノ木:2 高須東:4 高須南:3 青葉台南:3 " +
            "塩屋:5 鴨生田:4 大井戸町:0 修多羅:3 桜町:0 赤岩町:0 畠田:4 古前:2 宮丸:2",
        ),
      },
      {
        name: "八幡東区",
        weight: 64,
        towns: towns(
          "中央:3 祇園:3 尾倉:3 西本町:4 東田:2 枝光:5 高見:5 荒生田:3 大蔵:3 春の町:5 山王:2 日の出:2 " +
            "前田:3 茶屋町:0 羽衣町:0 清田:4 帆柱:3 槻田:2",
        ),
      },
      {
        name: "八幡西区",
        weight: 250,
        towns: towns(
          "黒崎:6 筒井町:0 紅梅:4 陣原:5 折尾:5 本城:5 三ヶ森:4 八枝:5 永犬丸:5 則松:7 穴生:4 鷹の巣:3 " +
            "萩原:3 熊手:3 藤田:4 相生町:0 浅川:3 医生ケ丘:0 千代:5 引野:3 竹末:2 皇后崎町:0 町上津役東:3 " +
            "里中:3 光貞台:3 春日台:6 大浦:3 御開:5",
        ),
      },
      {
        name: "戸畑区",
        weight: 56,
        towns: towns(
          "新池:3 中本町:0 汐井町:0 浅生:3 天神:2 境川:2 沢見:2 千防:3 菅原:4 銀座:2 夜宮:3 牧山:5 " +
            "一枚田:0 福柳木:2 初音町:0 東大谷:2 西大谷:2 小芝:3 中原東:4",
        ),
      },
    ],
  },
  "401307": {
    code: "401307",
    prefecture: "福岡県",
    name: "福岡市",
    mayor: "福岡市長　髙島　宗一郎",
    wards: [
      {
        name: "東区",
        weight: 320,
        towns: towns(
          "箱崎:7 香椎:6 千早:6 名島:3 和白:5 香住ケ丘:7 松島:6 多の津:5",
        ),
      },
      {
        name: "博多区",
        weight: 240,
        towns: towns(
          "博多駅前:4 博多駅東:3 住吉:5 千代:6 吉塚:8 美野島:4 東比恵:4 月隈:6",
        ),
      },
      {
        name: "中央区",
        weight: 200,
        towns: towns(
          "天神:5 大名:2 赤坂:3 薬院:4 平尾:3 六本松:4 警固:3 荒戸:3",
        ),
      },
      {
        name: "南区",
        weight: 265,
        towns: towns("大橋:4 高宮:5 井尻:5 長住:7 野間:4 塩原:4 清水:4 柏原:7"),
      },
      {
        name: "西区",
        weight: 210,
        towns: towns(
          "姪浜:6 今宿:3 周船寺:3 愛宕:4 小戸:5 福重:5 西の丘:2 拾六町:5",
        ),
      },
      {
        name: "城南区",
        weight: 130,
        towns: towns("別府:7 七隈:8 長尾:5 田島:6 茶山:6 鳥飼:7 梅林:5"),
      },
      {
        name: "早良区",
        weight: 220,
        towns: towns("西新:7 藤崎:2 百道:3 原:8 野芥:8 干隈:6 室見:5 田隈:3"),
      },
    ],
  },
};

/**
 * The profile of a municipality the generator knows; throws `RangeError`
 * for others.
 *
 * @example
 * ```ts
 * municipalityProfile("401005").name; // "北九州市"
 * ```
 */
export function municipalityProfile(code: string): MunicipalityProfile {
  const p = MUNICIPALITIES[code];
  if (!p) {
    throw new RangeError(
      `No generator profile for municipality ${code}; known: ${
        Object.keys(MUNICIPALITIES).join(", ")
      }`,
    );
  }
  return p;
}

/** Places elsewhere (prefecture + city + town, chome count) for 前住所 and destinations. */
const ELSEWHERE: readonly (readonly [string, number, number])[] = [
  // [place, 丁目 count, weight]
  ["福岡県北九州市小倉北区魚町", 4, 6],
  ["福岡県北九州市八幡西区黒崎", 6, 6],
  ["福岡県福岡市中央区天神", 5, 6],
  ["福岡県福岡市博多区博多駅前", 4, 6],
  ["福岡県福岡市東区香椎", 6, 4],
  ["福岡県久留米市東町", 0, 3],
  ["福岡県飯塚市吉原町", 0, 2],
  ["福岡県行橋市中央", 3, 3],
  ["福岡県中間市中間", 3, 3],
  ["福岡県遠賀郡水巻町頃末北", 4, 3],
  ["福岡県遠賀郡芦屋町山鹿", 0, 2],
  ["福岡県直方市殿町", 0, 2],
  ["福岡県田川市本町", 0, 1],
  ["福岡県宗像市東郷", 6, 2],
  ["福岡県京都郡苅田町京町", 2, 2],
  ["山口県下関市竹崎町", 4, 4],
  ["山口県下関市彦島江の浦町", 9, 2],
  ["山口県山口市中央", 5, 1],
  ["大分県中津市豊田町", 0, 1],
  ["大分県大分市府内町", 3, 1],
  ["佐賀県佐賀市駅前中央", 3, 1],
  ["長崎県長崎市大黒町", 0, 1],
  ["熊本県熊本市中央区手取本町", 0, 1],
  ["鹿児島県鹿児島市中央町", 0, 1],
  ["宮崎県宮崎市橘通西", 5, 1],
  ["広島県広島市中区紙屋町", 2, 1],
  ["大阪府大阪市北区梅田", 3, 2],
  ["兵庫県神戸市中央区三宮町", 3, 1],
  ["愛知県名古屋市中村区名駅", 5, 1],
  ["神奈川県横浜市西区みなとみらい", 6, 1],
  ["東京都千代田区丸の内", 3, 1],
  ["東京都世田谷区三軒茶屋", 2, 2],
  ["沖縄県那覇市久茂地", 3, 1],
];

const FULLWIDTH_DIGITS = "０１２３４５６７８９";
const FULLWIDTH = Array.from(
  { length: 1000 },
  (_, n) => String(n).replace(/[0-9]/g, (d) => FULLWIDTH_DIGITS[Number(d)]),
);
const KANJI_NUMERALS = [
  "〇",
  "一",
  "二",
  "三",
  "四",
  "五",
  "六",
  "七",
  "八",
  "九",
  "十",
];

/**
 * Full-width digits of a number below 1000 (larger numbers are converted digit by digit).
 *
 * @example
 * ```ts
 * fullWidth(302); // "３０２"
 * ```
 */
export function fullWidth(n: number): string {
  return n < 1000
    ? FULLWIDTH[n]
    : String(n).replace(/[0-9]/g, (d) => FULLWIDTH_DIGITS[Number(d)]);
}

/** A generated address: the text and the town it lies in. */
export interface GeneratedAddress {
  address: string;
  /** Ward + town, e.g. "小倉北区魚町", used to name buildings. */
  town: string;
}

/** Builds addresses within one municipality and elsewhere. */
export class AddressBook {
  readonly profile: MunicipalityProfile;
  readonly #wards: WeightedTable<Ward>;
  readonly #elsewhere: WeightedTable<readonly [string, number, number]>;
  readonly #prefix: string;

  /**
   * @example
   * ```ts ignore
   * const book = new AddressBook(municipalityProfile("401005"));
   * book.inCity(new Rng(1)).address.startsWith("福岡県北九州市"); // true
   * ```
   */
  constructor(profile: MunicipalityProfile) {
    this.profile = profile;
    this.#prefix = profile.prefecture + profile.name;
    this.#wards = new WeightedTable(
      profile.wards.map((w) => [w, w.weight] as const),
    );
    this.#elsewhere = new WeightedTable(
      ELSEWHERE.filter((e) => !e[0].startsWith(this.#prefix)).map((e) =>
        [e, e[2]] as const
      ),
    );
  }

  /** An address in the municipality: "福岡県北九州市小倉北区魚町二丁目３番１５号". */
  inCity(rng: Rng): GeneratedAddress {
    const ward = this.#wards.pick(rng);
    const town = rng.pick(ward.towns);
    const local = ward.name + town.name;
    return {
      address: this.#prefix + local + block(rng, town.chome),
      town: local,
    };
  }

  /** An address in another municipality. */
  elsewhere(rng: Rng): string {
    const [place, chome] = this.#elsewhere.pick(rng);
    return place + block(rng, chome);
  }

  /** A 本籍: in the municipality (60%), elsewhere (40%); 番 or 番地, no 号. */
  honseki(rng: Rng): string {
    let place: string;
    let chome: number;
    if (rng.chance(0.6)) {
      const ward = this.#wards.pick(rng);
      const town = rng.pick(ward.towns);
      place = this.#prefix + ward.name + town.name;
      chome = town.chome;
    } else {
      [place, chome] = this.#elsewhere.pick(rng);
    }
    const ch = chome > 0 ? KANJI_NUMERALS[rng.range(1, chome)] + "丁目" : "";
    const ban = chome > 0 ? rng.range(1, 30) : rng.range(1, 2500);
    return place + ch + fullWidth(ban) + (rng.chance(0.5) ? "番地" : "番");
  }
}

function block(rng: Rng, chome: number): string {
  if (chome > 0) {
    return KANJI_NUMERALS[rng.range(1, chome)] + "丁目" +
      fullWidth(rng.range(1, 28)) + "番" +
      fullWidth(rng.range(1, 40)) + "号";
  }
  // 住居表示 not in force: 番地, sometimes with a branch number.
  const ban = rng.range(1, 2200);
  return fullWidth(ban) + "番地" +
    (rng.chance(0.5) ? "の" + fullWidth(rng.range(1, 30)) : "");
}

const BUILDING_PREFIXES = [
  "サンハイツ",
  "コーポ",
  "メゾン",
  "グランドパレス",
  "レジデンス",
  "パークサイド",
  "シャトー",
  "ロイヤルハイツ",
  "サンライズ",
  "ドミール",
  "アーバンコート",
  "ライオンズマンション",
  "ダイアパレス",
  "エイルマンション",
  "ベルメゾン",
  "アルファステイツ",
  "サンパーク",
  "リバーサイド",
] as const;

const BUILDING_SUFFIXES = [
  "",
  "",
  "",
  "壱番館",
  "弐番館",
  "Ａ棟",
  "Ｂ棟",
  "東館",
  "西館",
] as const;

/**
 * A 方書 (building name and room) for an address in `town`, e.g.
 * "ライオンズマンション魚町５０３号" or "市営守恒団地３号棟２０５号".
 *
 * @example
 * ```ts ignore
 * katagaki(new Rng(1), "小倉北区魚町").endsWith("号"); // true
 * ```
 */
export function katagaki(rng: Rng, town: string): string {
  const townName = town.replace(/^.+?区/, "");
  const floor = rng.chance(0.8) ? rng.range(1, 5) : rng.range(6, 15);
  const room = fullWidth(floor * 100 + rng.range(1, 12)) + "号";
  if (rng.chance(0.12)) {
    return (rng.chance(0.7) ? "市営" : "県営") + townName + "団地" +
      fullWidth(rng.range(1, 12)) + "号棟" + room;
  }
  const name = rng.pick(BUILDING_PREFIXES) + (rng.chance(0.6) ? townName : "") +
    rng.pick(BUILDING_SUFFIXES);
  return name + room;
}
