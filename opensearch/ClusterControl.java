// Starts an OpenSearch cluster of N nodes in this JVM on 127.0.0.1 only, writes each node's real
// HTTP address to BASE_DIR/status.txt, then obeys commands on stdin: "stop I", "start I", "quit".
// (Once a node starts, OpenSearch sends System.out to its log, so the status goes to a file.)
// Run with: java -cp "$(cat target/cp.txt)" ClusterControl.java BASE_DIR NODES CLUSTER HTTP_BASE TRANSPORT_BASE

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.codelibs.opensearch.runner.OpenSearchRunner;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.Node;

public class ClusterControl {

    public static void main(final String[] args) throws Exception {
        final String base = args[0];
        final int nodes = Integer.parseInt(args[1]);
        final String cluster = args[2];
        final int httpBase = Integer.parseInt(args[3]);
        final int transportBase = Integer.parseInt(args[4]);

        final List<String> seeds = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            seeds.add("\"127.0.0.1:" + (transportBase + i) + "\"");
            names.add("\"node-" + i + "\"");
        }
        // each node's own config/opensearch.yml: the runner keeps a file that is already there
        for (int i = 1; i <= nodes; i++) {
            final Path config = Paths.get(base, "node_" + i, "config");
            Files.createDirectories(config);
            final String yml = String.join("\n",
                    "cluster.name: " + cluster,
                    "node.name: node-" + i,
                    "network.host: 127.0.0.1",
                    "transport.port: " + (transportBase + i),
                    "discovery.seed_hosts: [" + String.join(", ", seeds) + "]",
                    "cluster.initial_cluster_manager_nodes: [" + String.join(", ", names) + "]",
                    "cluster.routing.allocation.disk.threshold_enabled: false",
                    "node.store.allow_mmap: false",
                    "search.max_buckets: 65536",
                    // a query word's vocabulary expansion, in three languages and four fields
                    "indices.query.bool.max_clause_count: 8192",
                    "");
            Files.write(config.resolve("opensearch.yml"), yml.getBytes(StandardCharsets.UTF_8));
        }

        final OpenSearchRunner runner = new OpenSearchRunner();
        // the runner's own settings win over opensearch.yml: name the nodes as the yml does
        runner.onBuild((number, settings) -> settings.put("node.name", "node-" + number));
        // the runner looks for a free HTTP port only up to 9299 unless told otherwise
        runner.setMaxHttpPort(httpBase + 100);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final IOException e) {
                System.err.println("close: " + e.getMessage());
            }
        }));
        runner.build("-basePath", base, "-numOfNode", String.valueOf(nodes), "-clusterName", cluster,
                "-baseHttpPort", String.valueOf(httpBase), "-useLogger");
        status(runner, base, "READY");

        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            final String[] parts = line.trim().split("\\s+");
            try {
                switch (parts[0]) {
                    case "stop" -> {
                        final Node node = runner.getNode(Integer.parseInt(parts[1]));
                        node.close();
                        final boolean closed = node.awaitClose(30, TimeUnit.SECONDS);
                        status(runner, base, "STOPPED " + parts[1] + " " + closed);
                    }
                    case "start" -> {
                        final boolean started = runner.startNode(Integer.parseInt(parts[1]));
                        status(runner, base, "STARTED " + parts[1] + " " + started);
                    }
                    case "quit" -> {
                        runner.close();
                        System.exit(0);
                    }
                    default -> status(runner, base, "ERROR unknown command " + parts[0]);
                }
            } catch (final Exception e) {
                status(runner, base, "ERROR " + e);
            }
        }
        runner.close(); // stdin closed: the test process is gone
        System.exit(0);
    }

    private static void status(final OpenSearchRunner runner, final String base, final String last)
            throws IOException {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < runner.getNodeSize(); i++) {
            final Node node = runner.getNode(i);
            if (node.isClosed()) {
                out.append("NODE ").append(i).append(" closed\n");
                continue;
            }
            final HttpServerTransport http = node.injector().getInstance(HttpServerTransport.class);
            out.append("NODE ").append(i).append(" http://")
                    .append(http.boundAddress().publishAddress()).append('\n');
        }
        out.append(last).append('\n');
        final Path target = Paths.get(base, "status.txt");
        final Path temp = Paths.get(base, "status.tmp");
        Files.write(temp, out.toString().getBytes(StandardCharsets.UTF_8));
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
