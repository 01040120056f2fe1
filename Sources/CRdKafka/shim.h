/* librdkafka and its in-memory mock cluster, for EventBus only. */
#ifndef FILEFLOW_CRDKAFKA_SHIM_H
#define FILEFLOW_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
