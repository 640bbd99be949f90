import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes with Apache Kafka's own Java client, as real producers of Tally's inputs do.
 * Run as a single source file: java -cp '<kafka libs>/*' JavaProducer.java <bootstrap> <transactional-id-prefix>
 *
 * Reads one record a line from stdin, tab-separated:
 *   compression  mode  topic  key  value  [header-name=header-value ...]
 * compression is Kafka's compression.type (none, gzip, snappy, lz4, zstd); mode is plain, commit or
 * abort; \N is a null key or value. Consecutive lines of one compression and mode go in one send (a
 * transaction for commit and abort, committed or aborted once they are all sent). An empty line
 * ends the input; the producer prints "sent <count>" and exits 0, or prints the error and exits 1.
 */
public class JavaProducer {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String transactionalPrefix = args[1];
    Map<String, KafkaProducer<byte[], byte[]>> producers = new HashMap<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<String[]> group = new ArrayList<>();
    int sent = 0;
    try {
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        String[] fields = line.split("\t", -1);
        if (!group.isEmpty() && !(group.get(0)[0].equals(fields[0]) && group.get(0)[1].equals(fields[1]))) {
          sent += send(producers, bootstrap, transactionalPrefix, group);
          group.clear();
        }
        group.add(fields);
      }
      if (!group.isEmpty()) sent += send(producers, bootstrap, transactionalPrefix, group);
      System.out.println("sent " + sent);
    } finally {
      for (KafkaProducer<byte[], byte[]> producer : producers.values()) producer.close();
    }
  }

  private static int send(Map<String, KafkaProducer<byte[], byte[]>> producers, String bootstrap, String prefix, List<String[]> group) throws Exception {
    String compression = group.get(0)[0];
    String mode = group.get(0)[1];
    boolean transactional = !mode.equals("plain");
    KafkaProducer<byte[], byte[]> producer = producers.computeIfAbsent(compression + "/" + transactional, k -> open(bootstrap, compression, transactional ? prefix + compression : null));
    if (transactional) producer.beginTransaction();
    for (String[] fields : group) {
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(fields[2], bytes(fields[3]), bytes(fields[4]));
      for (int i = 5; i < fields.length; i++) {
        String[] header = fields[i].split("=", 2);
        record.headers().add(header[0], header[1].getBytes(StandardCharsets.UTF_8));
      }
      producer.send(record);
    }
    if (mode.equals("commit")) producer.commitTransaction();
    else if (mode.equals("abort")) {
      producer.flush();
      producer.abortTransaction();
    } else producer.flush();
    return group.size();
  }

  private static KafkaProducer<byte[], byte[]> open(String bootstrap, String compression, String transactionalId) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    // Each group ends in a flush or a commit, which sends at once: until then records gather in one
    // batch per partition, as large as pipelines tuned for throughput send (lz4 and snappy then
    // span several blocks).
    props.put(ProducerConfig.LINGER_MS_CONFIG, "10000");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1 << 20));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    if (transactionalId != null) props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
    if (transactionalId != null) producer.initTransactions();
    return producer;
  }

  private static byte[] bytes(String field) {
    return field.equals("\\N") ? null : field.getBytes(StandardCharsets.UTF_8);
  }
}
