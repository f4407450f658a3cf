#include "attn/safetensors.h"

#include "safetensors_file.h"

namespace attn {

std::map<std::string, Tensor> readSafetensors(const std::string& path)
{
    const formats::SafetensorsFile file(path);
    std::map<std::string, Tensor> tensors;
    for (const formats::SafetensorsEntry& entry : file.entries())
        tensors.emplace(entry.name, file.toFloat32(entry));
    return tensors;
}

} // namespace attn
