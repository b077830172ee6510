package essnap.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

import org.opensearch.Version;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.PluginInfo;

/**
 * Starts one OpenSearch 3.x node in this JVM (essnap tests only). Same as src/main/java, except that from 3.0 the
 * node takes classpath plugins as {@link PluginInfo}s instead of classes.
 *
 * Arguments are node settings, one {@code key=value} each; {@code key=[a,b]} gives a list.
 * {@code path.home} is required. The node stops when standard input reaches end-of-file
 * (the parent process went away), on SIGTERM/SIGINT, or if it fails to start (exit code 1).
 */
public final class Launcher {
    /** Network modules that exist as plain jars on Maven Central; the first one found is loaded. */
    private static final String[] NETWORK_PLUGINS = {
        "org.opensearch.transport.Netty4ModulePlugin", // OpenSearch 2.9+
        "org.opensearch.transport.Netty4Plugin",       // OpenSearch 1.x - 2.8
    };

    /** Modules loaded when their jar is on the classpath. */
    private static final String[] OPTIONAL_PLUGINS = {
        "org.opensearch.plugin.repository.url.URLRepositoryPlugin",
    };

    private static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, describe(plugins), true);
        }
    }

    private static List<PluginInfo> describe(Collection<Class<? extends Plugin>> plugins) {
        List<PluginInfo> infos = new ArrayList<>();
        for (Class<? extends Plugin> plugin : plugins) {
            infos.add(new PluginInfo(plugin.getName(), "classpath plugin", "NA", Version.CURRENT,
                System.getProperty("java.specification.version"), plugin.getName(), Collections.emptyList(), false));
        }
        return infos;
    }

    public static void main(String[] args) {
        Node node = null;
        try {
            Settings settings = parse(args);
            Path home = Paths.get(settings.get("path.home"));
            Path config = home.resolve("config");
            Files.createDirectories(config);
            Environment environment = new Environment(settings, config);
            List<Class<? extends Plugin>> plugins = new ArrayList<>();
            for (String name : NETWORK_PLUGINS) {
                try {
                    plugins.add(Class.forName(name).asSubclass(Plugin.class));
                    break;
                } catch (ClassNotFoundException e) {
                    // try the next name
                }
            }
            if (plugins.isEmpty()) {
                throw new IllegalStateException("no Netty4 network plugin on the classpath: " + Arrays.toString(NETWORK_PLUGINS));
            }
            // Modules that are on the classpath when Central has them (the url repository from 2.0).
            for (String name : OPTIONAL_PLUGINS) {
                try {
                    plugins.add(Class.forName(name).asSubclass(Plugin.class));
                } catch (ClassNotFoundException e) {
                    // not published for this version
                }
            }
            node = new EmbeddedNode(environment, plugins);
            final Node started = node;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(started), "essnap-shutdown"));
            node.start();
            System.out.println("essnap-launcher: node started");
        } catch (Throwable t) {
            System.out.println("essnap-launcher: node failed to start");
            t.printStackTrace(System.out);
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
        watchStdin();
    }

    static Settings parse(String[] args) {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got [" + arg + "]");
            }
            String key = arg.substring(0, eq);
            String value = arg.substring(eq + 1);
            if (value.startsWith("[") && value.endsWith("]")) {
                String inner = value.substring(1, value.length() - 1).trim();
                builder.putList(key, inner.isEmpty() ? new String[0] : inner.split("\\s*,\\s*"));
            } else {
                builder.put(key, value);
            }
        }
        return builder.build();
    }

    /** Blocks until stdin reaches EOF, then exits (the shutdown hook closes the node). */
    static void watchStdin() {
        try {
            byte[] buffer = new byte[256];
            while (System.in.read(buffer) != -1) {
                // ignore input
            }
        } catch (IOException e) {
            // treat like EOF
        }
        System.out.println("essnap-launcher: stdin closed, stopping");
        System.exit(0);
    }

    static void stop(Node node) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(20_000);
            } catch (InterruptedException e) {
                return;
            }
            System.out.println("essnap-launcher: node did not stop in 20s, halting");
            Runtime.getRuntime().halt(2);
        }, "essnap-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            node.close();
        } catch (Throwable t) {
            t.printStackTrace(System.out);
        }
        System.out.println("essnap-launcher: node stopped");
    }
}
