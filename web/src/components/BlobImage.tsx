// A picture fetched with fetch() into a blob URL: no caching and no query parameters (the API
// refuses unknown ones), refreshed every `refreshMs` while visible, or when `version` changes.
import { useEffect, useRef, useState } from "preact/hooks";
import { fetchBlob, problemOf } from "../api/client";
import { pageVisible } from "../lib/hooks";

interface Props {
  src: string | null;
  alt: string;
  refreshMs?: number;
  version?: unknown;
  class?: string;
  /** Shown instead of the picture when fetching it failed (e.g. 503: no picture yet). */
  onError?: (detail: string | null) => void;
  width?: number;
  height?: number;
  /** The picture's natural size once loaded. */
  onSize?: (width: number, height: number) => void;
}

export function BlobImage({ src, alt, refreshMs, version, class: cls, onError, width, height, onSize }: Props) {
  const [url, setUrl] = useState<string | null>(null);
  const current = useRef<string | null>(null);
  const visible = pageVisible.value;

  useEffect(() => {
    if (!src) return;
    let cancelled = false;
    let timer: number | undefined;
    const load = async () => {
      try {
        const blob = await fetchBlob(src);
        if (cancelled) return;
        const next = URL.createObjectURL(blob);
        const old = current.current;
        current.current = next;
        setUrl(next);
        if (old) URL.revokeObjectURL(old);
        onError?.(null);
      } catch (e) {
        if (!cancelled) onError?.(problemOf(e).detail);
      }
      if (!cancelled && refreshMs && visible) timer = window.setTimeout(load, refreshMs);
    };
    void load();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [src, refreshMs, version, visible]);

  useEffect(
    () => () => {
      if (current.current) URL.revokeObjectURL(current.current);
    },
    [],
  );

  if (!url) return <div class={`img-placeholder ${cls ?? ""}`} role="img" aria-label={alt} />;
  return (
    <img
      src={url}
      alt={alt}
      class={cls}
      width={width}
      height={height}
      decoding="async"
      onLoad={onSize ? (e) => onSize(e.currentTarget.naturalWidth, e.currentTarget.naturalHeight) : undefined}
    />
  );
}
