package org.pshmem.tests;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A fresh JVM of this JDK with pshmem's classes (the tests' too) and jffi on its class path, as a program run
 * with {@code ./pshmem run --transport local} has them, for at most 120 s.
 */
final class LocalJvm
{
    private LocalJvm()
    {
    }

    static ChildProcess.Result run(final List<String> jvmOptions, final String... mainAndArgs) throws Exception
    {
        final String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> entry.contains("pshmem-") || entry.contains(File.separator + "jffi-"))
            .collect(Collectors.joining(File.pathSeparator));
        final List<String> command = new ArrayList<>(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java", "-cp", classPath));
        command.addAll(jvmOptions);
        command.addAll(Arrays.asList(mainAndArgs));
        return ChildProcess.run(new ProcessBuilder(command), Duration.ofSeconds(120));
    }
}
