// Memory settings for batch commands.
#pragma once

namespace rtcstream {

// Makes the C allocator keep the memory a batch command frees (e.g. the
// buffers of one imported file) for its next allocations, instead of handing
// it back to the kernel and faulting fresh pages in for the next file. The
// process's resident set stays at its high-water mark: right for a command
// that exits when done, wrong for the long-running server, which does not
// call this.
void KeepFreedMemoryForReuse();

}  // namespace rtcstream
