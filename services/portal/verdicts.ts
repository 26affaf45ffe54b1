/**
 * The seven verdicts the portal gives, and for each a headline, a tone for
 * the page, and what the person at the bank should do next — in Japanese
 * and English. Also the portal's own reasons (voided, revoked) and the
 * notes on the issuance ledger's status.
 *
 * @module
 */

/** The verdicts of the portal. */
export type PortalVerdict =
  | "genuine"
  | "voided"
  | "revoked"
  | "tampered"
  | "unknown-key"
  | "not-a-certificate"
  | "unreadable";

/** Every verdict, in the order the README lists them. */
export const PORTAL_VERDICTS: readonly PortalVerdict[] = [
  "genuine",
  "voided",
  "revoked",
  "tampered",
  "unknown-key",
  "not-a-certificate",
  "unreadable",
];

/** A text in both languages. */
export interface Bilingual {
  ja: string;
  en: string;
}

/** How a verdict is shown. */
export interface VerdictCopy {
  title: Bilingual;
  /** ok: green, danger: red, warn: amber, info: gray-blue. */
  tone: "ok" | "danger" | "warn" | "info";
  /** Whether the bank may accept the paper on this verdict alone. */
  acceptable: boolean;
  next: { ja: string[]; en: string[] };
}

/** Headline, tone and next steps of every verdict. */
export const VERDICT_COPY: Record<PortalVerdict, VerdictCopy> = {
  genuine: {
    title: {
      ja: "発行時の内容と一致しました",
      en: "Genuine: the content is as issued",
    },
    tone: "ok",
    acceptable: true,
    next: {
      ja: [
        "左の表面の画像と、お手元の用紙の表面を見比べ、氏名・住所などの記載が一致することを確認してください。",
        "裏面の照合は内容が改ざんされていないことを示します。用紙が原本であること（複写でないこと）は、用紙の「複写」の地紋で確認してください。",
      ],
      en: [
        "Compare the front shown here with the front of the paper in hand: name, address and every other entry must match.",
        "This check proves the content was not altered, not that the sheet is an original: check the copy-evident background (複写) on the paper.",
      ],
    },
  },
  voided: {
    title: { ja: "無効とされた用紙です", en: "Void: this sheet was voided" },
    tone: "danger",
    acceptable: false,
    next: {
      ja: [
        "この用紙は受け付けないでください。交付時の紙詰まりなどで無効とされた用紙です。",
        "提出者に、証明書をあらためて取得するよう依頼してください。",
      ],
      en: [
        "Do not accept this sheet. It was voided when it was issued (for example after a paper jam).",
        "Ask the person to obtain the certificate again.",
      ],
    },
  },
  revoked: {
    title: {
      ja: "発行後に取り消された証明書です",
      en: "Revoked: withdrawn after issue",
    },
    tone: "danger",
    acceptable: false,
    next: {
      ja: [
        "この証明書は受け付けないでください。誤って発行されたため取り消されています。",
        "提出者に、発行した市区町村の窓口へ問い合わせるよう伝えてください。",
      ],
      en: [
        "Do not accept this certificate: it was issued in error and has been revoked.",
        "Ask the person to contact the issuing municipality.",
      ],
    },
  },
  tampered: {
    title: {
      ja: "改ざんされている可能性があります",
      en: "Altered: do not accept",
    },
    tone: "danger",
    acceptable: false,
    next: {
      ja: [
        "この証明書は受け付けないでください。",
        "用紙を保管し、社内の規程に従って対応してください。発行した市区町村への確認もご検討ください。",
      ],
      en: [
        "Do not accept this certificate.",
        "Keep the paper and follow your internal procedure; consider confirming with the issuing municipality.",
      ],
    },
  },
  "unknown-key": {
    title: {
      ja: "署名鍵を確認できません",
      en: "Unknown or expired signing key",
    },
    tone: "warn",
    acceptable: false,
    next: {
      ja: [
        "しばらく待ってから再度照合してください（鍵の更新直後の場合があります）。",
        "解消しない場合は、発行した市区町村に証明書の発行を確認してください。",
      ],
      en: [
        "Try again later (the key list may have just been updated).",
        "If it persists, confirm the issue with the issuing municipality.",
      ],
    },
  },
  "not-a-certificate": {
    title: {
      ja: "証明書の裏面ではありません",
      en: "Not the back of a certificate",
    },
    tone: "info",
    acceptable: false,
    next: {
      ja: [
        "コンビニ交付の証明書の「裏面」を読み取ったか確認してください（表面ではありません）。",
        "裏面全体が入るようにA4で読み取り、もう一度アップロードしてください。",
      ],
      en: [
        "Check that you scanned the back side of a convenience-store certificate, not the front.",
        "Scan the whole back at A4 size and upload it again.",
      ],
    },
  },
  unreadable: {
    title: { ja: "読み取れませんでした", en: "The scan could not be read" },
    tone: "warn",
    acceptable: false,
    next: {
      ja: [
        "300dpi・グレースケールで、裏面全体が入るように読み取り直してください。",
        "汚れ・折れ・かすれがあれば避け、ピントが合っていることを確認してください。",
        "何度読み取っても結果が変わらない場合は、発行した市区町村にお問い合わせください。",
      ],
      en: [
        "Rescan the whole back at 300 dpi in grayscale.",
        "Avoid stains, folds and fading, and make sure the scan is in focus.",
        "If it keeps failing, contact the issuing municipality.",
      ],
    },
  },
};

/** Status of an issue number in the center's issuance ledger. */
export type LedgerStatus = "valid" | "voided" | "revoked" | "unknown";

/** What the status check gave: the ledger's answer, or why there is none. */
export type StatusCheck = LedgerStatus | "unavailable" | "not-checked";

/**
 * The portal's own reasons: a genuine signature on a voided or revoked
 * certificate.
 *
 * @example
 * ```ts
 * portalReason("REVOKED").en; // "The signature is valid, but …"
 * ```
 */
export function portalReason(
  code: "VOIDED" | "REVOKED",
): { code: string; ja: string; en: string } {
  return code === "VOIDED"
    ? {
      code,
      ja:
        "署名は正しく、内容も発行時のままですが、交付記録ではこの用紙は無効（紙詰まり等による無効処理）とされています。",
      en: "The signature is valid and the content is as issued, but the " +
        "issuance ledger records this sheet as void (voided at the kiosk, " +
        "for example after a paper jam).",
    }
    : {
      code,
      ja:
        "署名は正しく、内容も発行時のままですが、交付記録ではこの証明書は発行後に取り消されています（誤発行）。",
      en: "The signature is valid and the content is as issued, but the " +
        "issuance ledger records this certificate as revoked (issued in error).",
    };
}

/**
 * The note shown when the ledger could not confirm the status, or
 * undefined when it did.
 *
 * @example
 * ```ts
 * statusNote("unavailable")?.ja; // "交付記録（取消・無効）を確認できませんでした…"
 * ```
 */
export function statusNote(status: StatusCheck): Bilingual | undefined {
  if (status === "unavailable") {
    return {
      ja:
        "交付記録（取消・無効の有無）を現在確認できませんでした。上の結果は署名のみによる判定です。時間をおいて再度照合すると、取消・無効の有無も確認できます。",
      en: "The issuance ledger (voided or revoked) could not be reached just " +
        "now: the result above rests on the signature alone. Verify again " +
        "later to also check for voiding or revocation.",
    };
  }
  if (status === "unknown") {
    return {
      ja:
        "交付記録にこの発行番号が見つかりませんでした（記録の反映待ちの可能性があります）。上の結果は署名のみによる判定です。",
      en: "The issuance ledger does not know this issue number yet (it may " +
        "not have been recorded yet): the result above rests on the signature alone.",
    };
  }
  return undefined;
}
