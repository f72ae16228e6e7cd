package org.pshmem.mpj;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options a rank of the MPJ transport needs: Chronicle Bytes maps files through JDK internals
 * ({@code java.lang.reflect} opened, {@code sun.nio.ch} exported); the rest keeps its warnings and
 * telemetry out of users' processes. Every launcher passes them; README lists them for {@code mpjrun.sh}.
 */
public final class JvmOptions
{
    private JvmOptions()
    {
    }

    /**
     * Returns the options, each a single argument.
     *
     * @param javaFeature the Java feature version of the rank JVMs, such as 17 or 25.
     * @return the options, each a single argument.
     */
    public static List<String> forRanks(final int javaFeature)
    {
        final List<String> options = new ArrayList<>(List.of(
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true"));
        if (javaFeature >= 24)
        {
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        return options;
    }

    /**
     * Prints the options for this JVM's version, one per line, for scripts.
     *
     * @param args unused.
     */
    public static void main(final String[] args)
    {
        forRanks(Runtime.version().feature()).forEach(System.out::println);
    }
}
