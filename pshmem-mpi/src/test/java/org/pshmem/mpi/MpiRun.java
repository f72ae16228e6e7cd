package org.pshmem.mpi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Java main on several ranks with Open MPI's {@code mpirun}, on the Java that runs the tests, with the
 * module's classes. Oversubscribed, as test machines may have fewer cores than ranks; as root, Open MPI's
 * variables that allow it are set.
 */
final class MpiRun
{
    /** A finished job: mpirun's exit code and everything the ranks and mpirun printed. */
    record Result(int exitCode, String output)
    {
    }

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
        final Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
            throw new AssertionError("did not end within " + timeoutSeconds + " s: " + command + "\n"
                + Files.readString(output, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
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
