package org.pshmem.mpi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs a Java main on several ranks with Open MPI's {@code mpirun}, on the Java that runs the tests, with the
 * module's classes. Oversubscribed, as test machines may have fewer cores than ranks; as root, Open MPI's
 * variables that allow it are set. A job that leaves Open MPI's shared-memory files in {@code /dev/shm} fails.
 */
final class MpiRun
{
    /** A finished job: mpirun's exit code and everything the ranks and mpirun printed. */
    record Result(int exitCode, String output)
    {
    }

    private static final Path SHM = Path.of("/dev/shm");

    private MpiRun()
    {
    }

    static Path workDir() throws IOException
    {
        final Path dir = Path.of(property("pshmem.test.mpiWorkDir"));
        Files.createDirectories(dir);
        return dir;
    }

    static String property(final String name)
    {
        final String value = System.getProperty(name);
        if (value == null || value.isBlank())
        {
            throw new IllegalStateException("system property " + name + " not set (the module's pom sets it)");
        }
        return value;
    }

    /** The test class path (Surefire's), for the ranks: the module, its tests and pshmem-api. */
    static String classPath()
    {
        return property("surefire.test.class.path");
    }

    static Result run(final int ranks, final long timeoutSeconds, final Class<?> main, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("mpirun", "--oversubscribe", "-np",
            Integer.toString(ranks)));
        command.addAll(java(main, List.of(), args));
        return run(command, timeoutSeconds, main.getSimpleName());
    }

    /** A command line that runs {@code main} on the tests' Java, with JVM options before the class. */
    static List<String> java(final Class<?> main, final List<String> jvmOptions, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
            // Small, quick JVMs: the job is short and the machine may be shared.
            "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath()));
        command.addAll(jvmOptions);
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }

    static Result run(final List<String> command, final long timeoutSeconds, final String label)
        throws IOException, InterruptedException
    {
        final Path output = Files.createTempFile(workDir(), label, ".out");
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(output.toFile());
        if ("root".equals(System.getProperty("user.name")))
        {
            builder.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
            builder.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        }
        builder.environment().remove("PSHMEM_MPI_LIBRARY");
        final Set<String> before = openMpiSharedFiles();
        final Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
            throw new AssertionError("did not end within " + timeoutSeconds + " s: " + command + "\n"
                + Files.readString(output, StandardCharsets.UTF_8));
        }
        final String printed = Files.readString(output, StandardCharsets.UTF_8);
        final Set<String> left = openMpiSharedFiles();
        left.removeAll(before);
        if (!left.isEmpty())
        {
            throw new AssertionError("the job left Open MPI's shared-memory files in " + SHM + ": " + left + " (" +
                command + ", exit " + process.exitValue() + ")\n" + printed);
        }
        return new Result(process.exitValue(), printed);
    }

    /** @return the names in {@code dir}. */
    static List<String> entries(final Path dir) throws IOException
    {
        try (Stream<Path> list = Files.list(dir))
        {
            return list.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    /** Removes {@code dir} and the files in it (a job's segment folder). */
    static void removeFolder(final Path dir) throws IOException
    {
        try (Stream<Path> left = Files.list(dir))
        {
            for (final Path path : left.toList())
            {
                Files.deleteIfExists(path);
            }
        }
        Files.deleteIfExists(dir);
    }

    /**
     * The files in {@code /dev/shm} named as Open MPI names its shared memory: {@code vader_segment.*} (4.x's
     * shared-memory transport), {@code sm_segment.*} (5.x's) and {@code ompi.*}. One MPI job runs at a time in
     * these tests, so a new one that outlives mpirun is the job's.
     */
    static Set<String> openMpiSharedFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(SHM))
        {
            return files.map(file -> file.getFileName().toString())
                .filter(name -> name.startsWith("vader_segment.") || name.startsWith("sm_segment.") ||
                    name.startsWith("ompi."))
                .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /**
     * The options a rank JVM needs for Chronicle Bytes, which maps the segment files where the JVM's own mapping
     * ({@code java.lang.foreign}, through pshmem-api's multi-release jar) is not used: the options pshmem-mpj's
     * {@code JvmOptions} gives its ranks.
     */
    static List<String> chronicleOptions()
    {
        final List<String> options = new ArrayList<>(List.of(
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true"));
        if (Runtime.version().feature() >= 24)
        {
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        return options;
    }
}
