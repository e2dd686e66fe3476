import { parse } from "yaml";

/** app.yml, made into the manifest GitHub's app-manifest flow takes for one server's public URL. */

/** The placeholder origin app.yml is written with. */
export const MANIFEST_PLACEHOLDER = "https://rollout-bot.example.com";

export interface AppManifest {
  name: string;
  url: string;
  hook_attributes: { url: string; active?: boolean };
  redirect_url: string;
  default_events: string[];
  default_permissions: Record<string, string>;
  [key: string]: unknown;
}

export function appManifest(yamlText: string, publicUrl: string): AppManifest {
  const manifest = parse(yamlText) as AppManifest;
  const origin = publicUrl.replace(/\/+$/, "");
  const place = (url: string) => url.replace(MANIFEST_PLACEHOLDER, origin);
  return {
    ...manifest,
    hook_attributes: { ...manifest.hook_attributes, url: place(manifest.hook_attributes.url) },
    redirect_url: place(manifest.redirect_url),
  };
}

/** A public URL the manifest may name: http(s), no credentials, no query; the origin and a path. */
export function parsePublicUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash)
      return undefined;
    return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  } catch {
    return undefined;
  }
}
