/**
 * The front of the certificate as issued, re-rendered from the decrypted
 * content and reduced, shown inline (a `data:` URL: nothing is stored to be
 * fetched later). A voided or revoked sheet carries a stamp over it.
 *
 * @module
 */
import { type Lang, T, t } from "../services/portal/i18n.ts";

/** Props of {@linkcode FrontImage}. */
export interface FrontImageProps {
  lang: Lang;
  png: Uint8Array;
  /** Stamp over the image: 無効 (voided) or 取消 (revoked). */
  stamp?: string;
  /** The image's id (default `front-image`; one per sheet on a multi-sheet page). */
  id?: string;
}

/**
 * The reduced front image.
 *
 * @example
 * ```tsx ignore
 * <FrontImage lang="ja" png={pngBytes} />
 * ```
 */
export function FrontImage(
  { lang, png, stamp, id = "front-image" }: FrontImageProps,
) {
  return (
    <figure class={`front${stamp ? " front--stamped" : ""}`}>
      <div class="front-frame" data-stamp={stamp}>
        <img
          id={id}
          src={`data:image/png;base64,${png.toBase64()}`}
          alt={t(lang, T.frontCaption)}
        />
      </div>
      <figcaption>
        <strong>{t(lang, T.frontCaption)}</strong>
        <span>{t(lang, T.frontNotice)}</span>
      </figcaption>
    </figure>
  );
}
