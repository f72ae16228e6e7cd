package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's minimal {@code pom.xml} for a downstream project builds as written, offline, with the machine's Maven
 * ({@code mvn} on the PATH, else the wrapper), against the pshmem artifacts in the local repository; the jar it
 * makes runs in a plain JVM on the library's class path, as README's {@code java -cp} command runs it.
 */
class ReadmePomTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern XML = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL);

    private static String readmePom() throws Exception
    {
        final Matcher xml = XML.matcher(Files.readString(ROOT.resolve("README.md")));
        while (xml.find())
        {
            if (xml.group(1).contains("<project"))
            {
                return xml.group(1);
            }
        }
        throw new AssertionError("README shows no complete pom.xml");
    }

    /** @return the machine's Maven: {@code mvn} on the PATH, else the project's wrapper. */
    private static String maven()
    {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .map(dir -> Path.of(dir, "mvn")).filter(Files::isExecutable).findFirst()
            .map(Path::toString).orElse(ROOT.resolve("mvnw").toString());
    }

    @Test
    void theReadmePomBuildsOfflineAndItsJarRunsOnTheLibraryClassPath(@TempDir final Path project) throws Exception
    {
        Files.writeString(project.resolve("pom.xml"), readmePom());
        final Path source = Files.createDirectories(project.resolve("src/main/java/app")).resolve("Main.java");
        Files.writeString(source, """
            package app;

            import org.pshmem.api.Pshmem;

            public final class Main
            {
                public static void main(final String[] args)
                {
                    try (Pshmem pshmem = Pshmem.init(args))
                    {
                        System.out.println("app: rank " + pshmem.world().rank() + " of " + pshmem.world().size() +
                            ", transport " + pshmem.transportName());
                    }
                }
            }
            """);
        ChildProcess.Result build = ChildProcess.run(new ProcessBuilder(maven(), "-B", "-q", "-o", "package")
            .directory(project.toFile()), Duration.ofMinutes(5));
        if (build.status() != 0 && (build.out() + build.err()).contains("offline"))
        {
            // A local repository filled by another Maven may lack a plugin the README's versions need: fetch it.
            System.out.println("ReadmePomTest: offline build lacked an artifact; building online:\n" + build.out());
            build = ChildProcess.run(new ProcessBuilder(maven(), "-B", "-q", "package").directory(project.toFile()),
                Duration.ofMinutes(10));
        }
        assertEquals(0, build.status(), maven() + " package of README's pom.xml:\n" + build.out() + build.err());
        final Path jar = project.resolve("target/app.jar");
        assertTrue(Files.isRegularFile(jar), "no " + jar);

        // What ./pshmem classpath prints for the in-process transport: pshmem-api, pshmem-local and jffi.
        final List<String> library = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> entry.matches(".*/(pshmem-api|pshmem-local)(/target/classes|(-[^/]*)?\\.jar)$") ||
                entry.contains("/jffi-"))
            .collect(Collectors.toList());
        // target/classes under `test`, target/pshmem-api.jar under `install`, a versioned jar from a repository
        assertTrue(library.stream().anyMatch(entry -> entry.contains("pshmem-api")) &&
            library.stream().anyMatch(entry -> entry.contains("pshmem-local")),
            "the library on this test's class path: " + library + " of " + System.getProperty("java.class.path"));
        final List<String> classPath = new ArrayList<>(library);
        classPath.add(jar.toString());
        final ChildProcess.Result run = ChildProcess.run(new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
            String.join(File.pathSeparator, classPath), "app.Main"), Duration.ofMinutes(1));
        assertEquals(0, run.status(), run.out() + run.err());
        assertEquals("app: rank 0 of 1, transport local\n", run.out(), run.err());
    }
}
