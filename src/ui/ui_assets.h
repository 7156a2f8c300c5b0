// The page of `baliza ui` and the libraries it uses, embedded in the binary at build time
// (cmake/embed_ui_assets.cmake: src/ui/web/* and the pinned npm packages of
// scripts/ui-assets.lock), so the UI works offline and fetches nothing at run time.
#pragma once

#include <optional>
#include <string_view>

namespace baliza::ui {

struct UiAsset {
  std::string_view content;
  std::string_view mime_type;
};

// The asset at a URL path such as "/" or "/assets/app.js"; nullopt when there is none.
std::optional<UiAsset> find_ui_asset(std::string_view url_path);

}  // namespace baliza::ui
