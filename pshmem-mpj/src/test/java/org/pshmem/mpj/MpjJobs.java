package org.pshmem.mpj;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Runs MPJ jobs from tests through {@link MpjLauncher}, with this test's class path for the ranks.
 */
final class MpjJobs
{
    /**
     * The rank JVM options of a test job unless it names its own: C1 only and the serial collector, so that 3 or 4
     * JVMs on 2 cores start with less CPU (MpjMisuseTest: 63 s -> 53 s).
     */
    static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** Output and status of a finished job. */
    record Result(int status, String out, String err)
    {
        String both()
        {
            return out + err;
        }
    }

    private MpjJobs()
    {
    }

    /**
     * @return the class path ranks get: this test's, without test tools and without the MPJ jar the build
     * compiled against (the MPJ home supplies MPJ).
     */
    static String rankClassPath()
    {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.contains("junit") && !entry.contains("opentest4j") && !entry.contains("apiguardian") &&
                !entry.contains("surefire") && !entry.contains("/org/pshmem/thirdparty/"))
            .collect(Collectors.joining(File.pathSeparator));
    }

    static Result run(final List<String> launcherOptions, final String main, final String... args)
    {
        return run(launcherOptions, QUICK_START, line -> { }, main, args);
    }

    /**
     * @param onLine called with each output line as it arrives.
     */
    static Result run(final List<String> launcherOptions, final Consumer<String> onLine, final String main,
        final String... args)
    {
        return run(launcherOptions, QUICK_START, onLine, main, args);
    }

    /**
     * @param rankJvmOptions JVM options for every rank, as {@code PSHMEM_JAVA_OPTS} gives them.
     * @param onLine         called with each output line as it arrives.
     */
    static Result run(final List<String> launcherOptions, final List<String> rankJvmOptions,
        final Consumer<String> onLine, final String main, final String... args)
    {
        final List<String> command = new ArrayList<>(launcherOptions);
        command.addAll(List.of("-cp", rankClassPath(), main));
        command.addAll(Arrays.asList(args));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = MpjLauncher.launch(command, rankJvmOptions,
            new PrintStream(new LineTap(out, onLine), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Keeps everything written and hands each complete line to a listener. */
    private static final class LineTap extends OutputStream
    {
        private final ByteArrayOutputStream all;
        private final Consumer<String> onLine;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineTap(final ByteArrayOutputStream all, final Consumer<String> onLine)
        {
            this.all = all;
            this.onLine = onLine;
        }

        @Override
        public synchronized void write(final int b)
        {
            all.write(b);
            if (b == '\n')
            {
                onLine.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            }
            else
            {
                line.write(b);
            }
        }
    }
}
