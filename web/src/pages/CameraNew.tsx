// Add a camera: by hand (with a connection test), or from what discovery finds.
import { useState } from "preact/hooks";
import type { CameraInput } from "../api/types";
import { CameraForm } from "../components/CameraForm";
import { Discovery } from "../components/Discovery";
import { PageHeader } from "../components/ui";
import { navigate } from "../router";
import { loadCameras, cameras, upsert } from "../store";
import { useTitle } from "../lib/hooks";
import { toast } from "../lib/toast";

export function CameraNew() {
  useTitle("Add a camera");
  const [tab, setTab] = useState<"form" | "discover">("form");
  const [seed, setSeed] = useState<Partial<CameraInput> | undefined>(undefined);
  const [formKey, setFormKey] = useState(0);
  return (
    <>
      <PageHeader title="Add a camera" sub="Give its address, or let the appliance find cameras on its network." />
      <div class="tabs" role="tablist" aria-label="How to add">
        <button type="button" role="tab" id="tab-form" aria-controls="panel-form" aria-selected={tab === "form"} class="tab" onClick={() => setTab("form")}>
          By address
        </button>
        <button type="button" role="tab" id="tab-discover" aria-controls="panel-discover" aria-selected={tab === "discover"} class="tab" onClick={() => setTab("discover")}>
          Discover
        </button>
      </div>
      <div role="tabpanel" id="panel-form" aria-labelledby="tab-form" hidden={tab !== "form"} class="panel">
        <CameraForm
          key={formKey}
          seed={seed}
          onSaved={(c) => {
            upsert(cameras, c);
            toast(`${c.name} added`);
            navigate(`/cameras/${c.id}`);
          }}
          onCancel={() => navigate("/cameras")}
        />
      </div>
      <div role="tabpanel" id="panel-discover" aria-labelledby="tab-discover" hidden={tab !== "discover"} class="panel">
        <Discovery
          onAdded={() => void loadCameras()}
          onEdit={(s) => {
            setSeed(s);
            setFormKey((k) => k + 1);
            setTab("form");
          }}
        />
      </div>
    </>
  );
}
