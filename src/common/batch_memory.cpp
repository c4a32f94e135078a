#include "common/batch_memory.h"

#include <malloc.h>

namespace rtcstream {

void KeepFreedMemoryForReuse() {
  // glibc returns the top of the heap to the kernel once 128 KiB of it are
  // free, and serves blocks from 128 KiB (rising with the blocks freed) with
  // their own mappings, unmapped when freed: each file's megabytes of text
  // would be page-faulted in anew. 32 MiB is the largest mapping threshold
  // glibc accepts; larger blocks still get their own mapping.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace rtcstream
