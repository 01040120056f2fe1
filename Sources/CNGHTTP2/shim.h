/* nghttp2, for MeshRPCHTTP2's session wrapper only. */
#ifndef FILEFLOW_CNGHTTP2_SHIM_H
#define FILEFLOW_CNGHTTP2_SHIM_H
#include <nghttp2/nghttp2.h>
#endif
