// The built-in mappings (`entente import --preset NAME`): the TOML files of
// tools/presets/, compiled into the binary by tools/CMakeLists.txt so that an
// installed `entente` needs no data folder. Firms copy a file and adapt it.
#pragma once

#include <vector>

namespace entente::tools {

struct PresetFile {
  const char* name;  // the file's name without .toml
  const char* toml;
};

const std::vector<PresetFile>& presetFiles();

}  // namespace entente::tools
