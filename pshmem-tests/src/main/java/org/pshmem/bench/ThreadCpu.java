package org.pshmem.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The CPU time this JVM's threads have used, summed by what each thread is, from Linux's
 * {@code /proc/self/task/<tid>/schedstat} (nanoseconds on a core) and {@code comm} (the name, cut to 15
 * characters): where an idle rank's CPU goes. Differences are taken thread by thread, so a thread that starts or
 * ends between two snapshots does not move the others' figures. Nothing where there is no {@code /proc}.
 */
final class ThreadCpu
{
    /** What a thread is, by its name, or the thread that takes the snapshot. */
    enum Kind
    {
        /** The thread that takes the snapshots: the one waiting. */
        WAITING("waiting thread"),
        /** pshmem's own threads, such as the rank's watchdog. */
        PSHMEM("pshmem threads"),
        /** The JIT compilers. */
        JIT("JIT"),
        /** The garbage collector. */
        GC("GC"),
        /** The JVM's other service threads. */
        JVM("other JVM threads"),
        /** Everything else: the transport's threads (MPJ Express's), the program's. */
        OTHER("other threads");

        private final String text;

        Kind(final String text)
        {
            this.text = text;
        }

        String text()
        {
            return text;
        }
    }

    private static final Path TASKS = Path.of("/proc/self/task");
    private static final Set<String> JVM_THREADS = Set.of("VM Thread", "VM Periodic Tas", "Signal Dispatch",
        "Service Thread", "Monitor Deflati", "Common-Cleaner", "Finalizer", "Reference Handl", "Notification Th",
        "Attach Listener");

    private ThreadCpu()
    {
    }

    /** One thread in a snapshot: what it is, and its nanoseconds on a core so far. */
    record Sample(Kind kind, long nanos)
    {
    }

    /**
     * @return by thread id, this JVM's live threads, with the calling thread as {@link Kind#WAITING}; empty where
     * there is no {@code /proc}.
     */
    static Map<String, Sample> snapshot()
    {
        final Map<String, Sample> threads = new HashMap<>();
        if (!Files.isDirectory(TASKS))
        {
            return threads;
        }
        try
        {
            final String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS))
            {
                for (final Path task : tasks)
                {
                    final String id = task.getFileName().toString();
                    final long used = onCore(task);
                    if (used >= 0)
                    {
                        threads.put(id, new Sample(id.equals(self) ? Kind.WAITING : kindOf(name(task)), used));
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            // /proc changed under us: what was read stays.
        }
        return threads;
    }

    /**
     * @return nanoseconds on a core between two snapshots, by {@link Kind} ordinal: of each thread in
     * {@code after}, from its time in {@code before} (from 0 when it started since); a thread that ended in
     * between is left out.
     */
    static long[] used(final Map<String, Sample> before, final Map<String, Sample> after)
    {
        final long[] nanos = new long[Kind.values().length];
        after.forEach((id, sample) ->
        {
            final Sample earlier = before.get(id);
            nanos[sample.kind().ordinal()] += sample.nanos() - (null == earlier ? 0 : earlier.nanos());
        });
        return nanos;
    }

    /** @return the kind of a thread other than the caller, by its name as {@code comm} gives it. */
    static Kind kindOf(final String name)
    {
        if (name.startsWith("pshmem-"))
        {
            return Kind.PSHMEM;
        }
        if (name.contains("CompilerThre") || name.startsWith("Sweeper"))
        {
            return Kind.JIT;
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("GC "))
        {
            return Kind.GC;
        }
        return JVM_THREADS.contains(name) ? Kind.JVM : Kind.OTHER;
    }

    /**
     * @param shares shares of a core by {@link Kind} ordinal.
     * @return e.g. {@code waiting thread 0.011, pshmem threads 0.002, JIT 0.015, ...}.
     */
    static String text(final double[] shares)
    {
        final StringBuilder text = new StringBuilder();
        for (final Kind kind : Kind.values())
        {
            text.append(text.length() == 0 ? "" : ", ").append(kind.text()).append(' ')
                .append(String.format(Locale.ROOT, "%.3f", shares[kind.ordinal()]));
        }
        return text.toString();
    }

    private static long onCore(final Path task)
    {
        try
        {
            final String line = Files.readString(task.resolve("schedstat")).trim();
            final int space = line.indexOf(' ');
            return Long.parseLong(space < 0 ? line : line.substring(0, space));
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1; // the thread ended
        }
    }

    private static String name(final Path task)
    {
        try
        {
            return Files.readString(task.resolve("comm")).trim();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}
