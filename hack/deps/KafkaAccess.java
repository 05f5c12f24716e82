// The SCRAM users and ACLs of make deps' Kafka (hack/deps/kafka-sasl.sh; docs/security.md, "Kafka"), set in one
// JVM through the Admin API on the broker's loopback admin listener:
//
//   java -cp "$KAFKA_LIBS/*" hack/deps/KafkaAccess.java BOOTSTRAP < spec
//
// Each line of the spec on stdin (passwords never on a command line) is one of
//   user NAME PASSWORD                                   a SCRAM-SHA-512 credential (set again on every run)
//   acl NAME topic|group literal|prefixed RESOURCE OP   an ALLOW binding for User:NAME from any host
// Idempotent: the credentials are set to the same passwords, existing bindings are kept, and a binding of a
// user named in the spec that the spec no longer lists is deleted (so a narrowed ACL really narrows).
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class KafkaAccess {
  // PatternType.fromString wants the enum's own spelling (PREFIXED); the spec is lower case like the others.
  private static PatternType patternType(String name) {
    try {
      return PatternType.valueOf(name.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return PatternType.UNKNOWN;
    }
  }

  // Kafka's default for SCRAM-SHA-512 is 4096; 8192 costs a client a few milliseconds once per connection.
  private static final int ITERATIONS = 8192;

  public static void main(String[] args) throws Exception {
    if (args.length != 1) throw new IllegalArgumentException("usage: KafkaAccess BOOTSTRAP < spec");
    List<UserScramCredentialAlteration> users = new ArrayList<>();
    Set<String> principals = new HashSet<>();
    Set<AclBinding> wanted = new HashSet<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 0 || f[0].isEmpty()) continue;
      if (f[0].equals("user") && f.length == 3) {
        users.add(new UserScramCredentialUpsertion(f[1], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS), f[2]));
        principals.add("User:" + f[1]);
      } else if (f[0].equals("acl") && f.length == 6) {
        ResourcePattern resource = new ResourcePattern(ResourceType.fromString(f[2]), f[4], patternType(f[3]));
        AccessControlEntry entry = new AccessControlEntry("User:" + f[1], "*", AclOperation.fromString(f[5]), AclPermissionType.ALLOW);
        if (resource.resourceType() == ResourceType.UNKNOWN || resource.patternType() == PatternType.UNKNOWN || entry.operation() == AclOperation.UNKNOWN)
          throw new IllegalArgumentException("bad acl line: acl " + String.join(" ", List.of(f).subList(1, f.length)));
        wanted.add(new AclBinding(resource, entry));
        principals.add("User:" + f[1]);
      } else {
        throw new IllegalArgumentException("bad spec line starting with: " + f[0]);
      }
    }
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "120000");
    try (Admin admin = Admin.create(config)) {
      if (!users.isEmpty()) admin.alterUserScramCredentials(users).all().get(120, TimeUnit.SECONDS);
      List<AclBindingFilter> stale = new ArrayList<>();
      for (AclBinding existing : admin.describeAcls(AclBindingFilter.ANY).values().get(120, TimeUnit.SECONDS))
        if (principals.contains(existing.entry().principal()) && !wanted.contains(existing)) stale.add(existing.toFilter());
      if (!stale.isEmpty()) admin.deleteAcls(stale).all().get(120, TimeUnit.SECONDS);
      if (!wanted.isEmpty()) admin.createAcls(wanted).all().get(120, TimeUnit.SECONDS);
      System.out.printf("%d SCRAM users set, %d ACLs in place, %d stale ACLs removed%n", users.size(), wanted.size(), stale.size());
    }
  }
}
