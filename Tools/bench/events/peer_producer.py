"""The peer of EventsBench's throughput part: confluent-kafka's Producer sending the same messages.

Usage: peer_producer.py BOOTSTRAP TOPIC MESSAGES KEYS VALUE_BYTES CONFIG_JSON
CONFIG_JSON holds the librdkafka properties EventsBench also gives our producer (KafkaProducer.defaults,
enable.idempotence, acks). One warm-up message is delivered first (topic created, connections and producer id
in place), then MESSAGES messages are timed from the first produce() to flush() returning, every delivery report
counted. Prints one JSON line: {"messages", "seconds", "cpu" (of the whole process, librdkafka's threads
included, over the timed part), "delivered", "failed", "librdkafka"}.
"""

import json
import sys
import time

from confluent_kafka import Producer, libversion


def main() -> None:
    bootstrap, topic, count, key_count, value_bytes, config_json = sys.argv[1:7]
    count, key_count, value_bytes = int(count), int(key_count), int(value_bytes)
    config = json.loads(config_json)
    config["bootstrap.servers"] = bootstrap
    outcome = {"delivered": 0, "failed": 0}

    def on_delivery(error, _message) -> None:
        if error is None:
            outcome["delivered"] += 1
        else:
            outcome["failed"] += 1

    config["on_delivery"] = on_delivery
    producer = Producer(config)
    producer.produce(topic, b"warm-up", b"warm-up")
    if producer.flush(30) != 0 or outcome["delivered"] != 1:
        sys.exit(f"peer: warm-up message not delivered ({outcome})")
    outcome["delivered"] = 0

    keys = [f"key-{i}".encode() for i in range(key_count)]
    value = bytes((i * 31) & 0xFF for i in range(value_bytes))
    produce, poll = producer.produce, producer.poll
    cpu_start, start = time.process_time(), time.perf_counter()
    for i in range(count):
        while True:
            try:
                produce(topic, value, keys[i % key_count])
                break
            except BufferError:  # local queue full: serve reports, then retry
                poll(0.001)
        poll(0)
    left = producer.flush(60)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(json.dumps({"messages": count, "seconds": seconds, "cpu": cpu, "delivered": outcome["delivered"],
                      "failed": outcome["failed"] + left, "librdkafka": libversion()[0]}))


if __name__ == "__main__":
    main()
