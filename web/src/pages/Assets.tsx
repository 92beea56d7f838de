// Pictures, URL images, texts and clocks that outputs show as overlays or on the slate.
import { useEffect, useState } from "preact/hooks";
import type { Asset, Problem } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { assets, loadAssets, removeFrom, upsert } from "../store";
import { can } from "../session";
import { errorFor, numOrNull, orNull } from "../lib/forms";
import { toast } from "../lib/toast";
import { bytes, dateTime } from "../lib/format";
import { useTitle } from "../lib/hooks";
import { BlobImage } from "../components/BlobImage";
import { Confirm, Empty, FormProblem, Loading, PageHeader, ProblemBox, TextField } from "../components/ui";

type Kind = "image" | "url_image" | "text" | "clock";
const KINDS: [Kind, string][] = [
  ["image", "Upload a picture"],
  ["url_image", "Picture from a URL"],
  ["text", "Text"],
  ["clock", "Clock"],
];
const FIELDS = ["name", "file", "url", "refresh_secs", "text", "font_size", "color", "kind"];

function NewAsset({ onCreated }: { onCreated: (a: Asset) => void }) {
  const [kind, setKind] = useState<Kind>("image");
  const [name, setName] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [url, setUrl] = useState("");
  const [refresh, setRefresh] = useState("60");
  const [text, setText] = useState("");
  const [fontSize, setFontSize] = useState("32");
  const [color, setColor] = useState("#ffffff");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const err = (p: string) => errorFor(problem, p);

  useEffect(() => {
    if (!file) {
      setPreview(null);
      return;
    }
    const u = URL.createObjectURL(file);
    setPreview(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      let created: Asset;
      if (kind === "image") {
        const fd = new FormData();
        if (file) fd.append("file", file);
        if (name.trim()) fd.append("name", name.trim());
        created = await unwrap(
          api.POST("/api/v1/assets", { body: fd as never, bodySerializer: (b: unknown) => b as FormData }),
        );
      } else {
        const style = { font_size: numOrNull(fontSize), color: orNull(color) };
        const body =
          kind === "url_image"
            ? { name: name.trim(), kind, url: url.trim(), refresh_secs: numOrNull(refresh) }
            : kind === "text"
              ? { name: name.trim(), kind, text, ...style }
              : { name: name.trim(), kind, text: orNull(text), ...style };
        created = await unwrap(api.POST("/api/v1/assets", { body }));
      }
      toast(`${created.name} created`);
      setName("");
      setFile(null);
      setUrl("");
      setText("");
      onCreated(created);
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form panel" onSubmit={submit} noValidate>
      <h2>New asset</h2>
      <div class="segmented" role="radiogroup" aria-label="Kind of asset">
        {KINDS.map(([k, label]) => (
          <label key={k}>
            <input type="radio" name="asset-kind" checked={kind === k} onChange={() => setKind(k)} /> {label}
          </label>
        ))}
      </div>
      <FormProblem problem={problem} fields={FIELDS} />
      <TextField label={kind === "image" ? "Name (optional: the file's name)" : "Name"} value={name} onValue={setName} error={err("name")} maxLength={100} />
      {kind === "image" && (
        <div class="upload">
          <div class={`field ${err("file") ? "has-error" : ""}`}>
            <label for="asset-file">Picture (PNG, JPEG or WebP)</label>
            <input id="asset-file" type="file" accept="image/png,image/jpeg,image/webp" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
            {err("file") && <div class="field-error">{err("file")}</div>}
          </div>
          {preview && <img class="upload-preview" src={preview} alt="Preview of the chosen picture" />}
          {file && <p class="muted small">{file.name} · {bytes(file.size)}</p>}
        </div>
      )}
      {kind === "url_image" && (
        <div class="form-grid">
          <TextField label="Picture URL" value={url} onValue={setUrl} error={err("url")} placeholder="https://example.com/weather.png" spellcheck={false} />
          <TextField label="Refresh every (s)" value={refresh} onValue={setRefresh} error={err("refresh_secs")} inputMode="numeric" hint="5–86400" />
        </div>
      )}
      {(kind === "text" || kind === "clock") && (
        <div class="form-grid">
          <TextField
            label={kind === "clock" ? "Format (strftime)" : "Text"}
            value={text}
            onValue={setText}
            error={err("text")}
            placeholder={kind === "clock" ? "%H:%M:%S" : "Live from the harbour"}
            hint={kind === "clock" ? "e.g. %H:%M, %a %d %b %H:%M" : undefined}
          />
          <TextField label="Font size (px)" value={fontSize} onValue={setFontSize} error={err("font_size")} inputMode="numeric" hint="8–200" />
          <TextField label="Colour" value={color} onValue={setColor} error={err("color")} hint="#rrggbb or #rrggbbaa" spellcheck={false} />
        </div>
      )}
      <div class="row end">
        <button type="submit" class="btn btn-primary" disabled={busy || (kind === "image" && !file)}>
          {busy ? "Creating…" : kind === "image" ? "Upload" : "Create"}
        </button>
      </div>
    </form>
  );
}

export function Assets() {
  useTitle("Assets");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [deleting, setDeleting] = useState<Asset | null>(null);
  const operator = can("operator");
  const load = () => loadAssets().then(() => setProblem(null), (e) => setProblem(problemOf(e)));
  useEffect(() => {
    void load();
  }, []);
  const list = assets.value;

  const remove = async (a: Asset) => {
    try {
      await unwrap(api.DELETE("/api/v1/assets/{id}", { params: { path: { id: a.id } } }));
      removeFrom(assets, a.id);
      toast(`${a.name} deleted`);
    } catch (e) {
      toast(`Delete ${a.name}: ${problemOf(e).detail}`, "error");
    } finally {
      setDeleting(null);
    }
  };

  return (
    <>
      <PageHeader title="Assets" sub="What outputs show as overlay layers and on the slate." />
      {operator && <NewAsset onCreated={(a) => upsert(assets, a)} />}
      <ProblemBox problem={problem} onRetry={() => void load()} />
      {!list ? (
        !problem && <Loading />
      ) : list.length === 0 ? (
        <Empty>No assets yet.</Empty>
      ) : (
        <ul class="grid grid-assets">
          {list.map((a) => (
            <li key={a.id} class="card asset">
              <div class="asset-preview checker">
                <BlobImage src={`/api/v1/assets/${a.id}/preview`} alt={`Preview of ${a.name}`} refreshMs={a.kind === "clock" ? 5000 : undefined} />
              </div>
              <div class="card-body small">
                <div class="card-title">
                  <h3>{a.name}</h3>
                  <span class="muted">{a.kind.replace("_", " ")}</span>
                </div>
                {a.width && a.height ? (
                  <div class="muted">
                    {a.width}×{a.height}
                    {a.size_bytes ? ` · ${bytes(a.size_bytes)}` : ""}
                  </div>
                ) : null}
                {a.url && (
                  <div class="ellipsis">
                    <code title={a.url}>{a.url}</code> · every {a.refresh_secs ?? "?"} s
                  </div>
                )}
                {a.text && <div class="ellipsis">“{a.text}” · {a.font_size}px</div>}
                {a.last_fetch_at && <div class="muted">Fetched {dateTime(a.last_fetch_at)}</div>}
                {a.last_error && <div class="field-error">{a.last_error}</div>}
                {operator && (
                  <div class="row">
                    <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setDeleting(a)} aria-label={`Delete ${a.name}`}>
                      Delete
                    </button>
                  </div>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <Confirm
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ""}?`}
        message="An asset that an output shows (as a layer or on its slate) cannot be deleted."
        confirm="Delete"
        danger
        onConfirm={() => (deleting ? remove(deleting) : undefined)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
