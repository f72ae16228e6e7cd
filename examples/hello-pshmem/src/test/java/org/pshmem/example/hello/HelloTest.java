package org.pshmem.example.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.pshmem.api.Pshmem;

/**
 * The example program, built against pshmem by coordinates, run the ways a user runs it: in a plain JVM on the
 * class path and on the module path (the backend found by {@link java.util.ServiceLoader} each time), and with
 * {@code ./pshmem run}; each run prints the program's lines and nothing else (no logging noise).
 */
class HelloTest
{
    private static final Path REPOSITORY_ROOT = Path.of("..", "..").toAbsolutePath().normalize();
    private static final Path CLASSES = Path.of("target", "classes").toAbsolutePath();
    private static final String MAIN = "org.pshmem.example.hello.Hello";
    private static final String MODULE = "org.pshmem.example.hello";

    private record Outcome(int status, String out, String err)
    {
    }

    private static List<String> expected(final int ranks, final String transport)
    {
        final long cells = ranks * 1000L;
        return List.of("hello-pshmem: " + ranks + " rank(s), transport " + transport,
            "hello-pshmem: sum of the table = " + cells * (cells - 1) / 2);
    }

    private static Path jarOf(final String className) throws ClassNotFoundException, URISyntaxException
    {
        final Path jar = Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(jar.toString().endsWith(".jar") && Files.isRegularFile(jar),
            className + " should come from an installed jar, not " + jar);
        return jar;
    }

    private static Path apiJar() throws Exception
    {
        return jarOf(Pshmem.class.getName());
    }

    private static Path localJar() throws Exception
    {
        return jarOf("org.pshmem.local.LocalTransport");
    }

    /** The in-process backend's one dependency (jffi and its native jar, used on Java 17 to 21), from Maven. */
    private static String localDependencies()
    {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> Path.of(entry).getFileName().toString().startsWith("jffi-"))
            .collect(Collectors.joining(File.pathSeparator));
    }

    private static String java()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Outcome run(final List<String> command) throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("hello-pshmem", ".out");
        final Path err = Files.createTempFile("hello-pshmem", ".err");
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().remove("PSHMEM_TRANSPORT");
            final Process process = builder.start();
            if (!process.waitFor(300, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
            process.waitFor();
            return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static void assertQuietRun(final Outcome outcome, final List<String> expected, final List<String> command)
    {
        final String where = String.join(" ", command) + "\nstdout:\n" + outcome.out() + "stderr:\n" + outcome.err();
        assertEquals(0, outcome.status(), where);
        assertEquals(expected, outcome.out().lines().toList(), where);
        assertEquals("", outcome.err(), where);
    }

    @Test
    void runsInAPlainJvmOnTheClassPath() throws Exception
    {
        final List<String> command = List.of(java(), "-cp",
            CLASSES + File.pathSeparator + apiJar() + File.pathSeparator + localJar() + File.pathSeparator +
            localDependencies(), MAIN);
        assertQuietRun(run(command), expected(1, "local"), command);
    }

    @Test
    void runsInAPlainJvmOnTheModulePath() throws Exception
    {
        final List<String> command = List.of(java(), "--module-path",
            CLASSES + File.pathSeparator + apiJar() + File.pathSeparator + localJar(), "-cp", localDependencies(),
            "--module", MODULE + "/" + MAIN);
        assertQuietRun(run(command), expected(1, "local"), command);
    }

    @Test
    void theProgramIsANamedModuleReadingTheApiModule() throws Exception
    {
        final ModuleDescriptor program = ModuleFinder.of(CLASSES).find(MODULE).orElseThrow().descriptor();
        assertTrue(program.requires().stream().anyMatch(r -> r.name().equals("org.pshmem.api")), program.toString());
    }

    @Test
    void theJarsHaveStableModuleNamesAndTheBackendProvidesATransport() throws Exception
    {
        final ModuleDescriptor api = ModuleFinder.of(apiJar()).find("org.pshmem.api").orElseThrow().descriptor();
        assertEquals(Set.of("org.pshmem.api", "org.pshmem.spi"), api.packages());
        final ModuleDescriptor local = ModuleFinder.of(localJar()).find("org.pshmem.local").orElseThrow().descriptor();
        assertEquals(List.of("org.pshmem.local.LocalTransport"), providers(local));
        if (Boolean.getBoolean("pshmem.expectMpj"))
        {
            final ModuleDescriptor mpj = ModuleFinder.of(installed("pshmem-mpj")).find("org.pshmem.mpj").orElseThrow()
                .descriptor();
            assertEquals(List.of("org.pshmem.mpj.MpjTransport"), providers(mpj));
            assertEquals(Set.of("org.pshmem.shm"), ModuleFinder.of(installed("pshmem-shm")).find("org.pshmem.shm")
                .orElseThrow().descriptor().packages());
        }
        assertTrue(ModuleFinder.of(installed("pshmem-tests")).find("org.pshmem.tests").isPresent());
    }

    private static List<String> providers(final ModuleDescriptor module)
    {
        return module.provides().stream().filter(p -> p.service().equals("org.pshmem.spi.Transport"))
            .flatMap(p -> p.providers().stream()).collect(Collectors.toList());
    }

    private static Path installed(final String artifact)
    {
        final String version = System.getProperty("pshmem.version");
        final Path jar = Path.of(System.getProperty("pshmem.localRepository"), "org", "pshmem", artifact, version,
            artifact + "-" + version + ".jar");
        assertTrue(Files.isRegularFile(jar), jar + " should be installed (./mvnw install)");
        return jar;
    }

    @Test
    void theInstalledPomsCarryTheProjectMetadata() throws Exception
    {
        final String version = System.getProperty("pshmem.version");
        final Path repository = Path.of(System.getProperty("pshmem.localRepository"), "org", "pshmem");
        final String parent = Files.readString(repository.resolve(Path.of("pshmem-parent", version,
            "pshmem-parent-" + version + ".pom")));
        for (final String element : List.of("<name>BSD-3-Clause</name>", "<developers>", "<scm", "<connection>",
            "<url>", "<description>"))
        {
            assertTrue(parent.contains(element), "the parent POM lacks " + element);
        }
        final List<String> modules = new ArrayList<>(List.of("pshmem-api", "pshmem-local", "pshmem-tests"));
        if (Boolean.getBoolean("pshmem.expectMpj"))
        {
            modules.add("pshmem-shm");
            modules.add("pshmem-mpj");
        }
        for (final String module : modules)
        {
            final String pom = Files.readString(repository.resolve(Path.of(module, version, module + "-" + version +
                ".pom")));
            assertTrue(pom.contains("<name>pshmem for Java: "), module + " has no name");
            assertTrue(pom.contains("<description>"), module + " has no description");
            assertTrue(pom.contains("<artifactId>pshmem-parent</artifactId>"), module + " does not inherit the metadata");
        }
    }

    @Test
    void runsOnThreeRanksWithPshmemRunLocal() throws Exception
    {
        final List<String> command = List.of("bash", REPOSITORY_ROOT.resolve("pshmem").toString(), "run", "-np", "3",
            "--transport", "local", "-cp", CLASSES.toString(), MAIN);
        assertQuietRun(run(command), expected(3, "local"), command);
    }

    @Test
    void runsAsAJvmPerRankWithPshmemRunMpjWithoutDependencyNoise() throws Exception
    {
        if (!Boolean.getBoolean("pshmem.expectMpj"))
        {
            // Without MPJ Express the transport is not built; ./pshmem run falls back to the in-process one.
            final List<String> command = List.of("bash", REPOSITORY_ROOT.resolve("pshmem").toString(), "run", "-np",
                "2", "-cp", CLASSES.toString(), MAIN);
            assertQuietRun(run(command), expected(2, "local"), command);
            return;
        }
        final List<String> command = List.of("bash", REPOSITORY_ROOT.resolve("pshmem").toString(), "run", "-np", "2",
            "--transport", "mpj", "--timeout", "120", "-cp", CLASSES.toString(), MAIN);
        final Outcome outcome = run(command);
        final String where = String.join(" ", command) + "\nstdout:\n" + outcome.out() + "stderr:\n" + outcome.err();
        assertEquals(0, outcome.status(), where);
        assertEquals(expected(2, "mpj"), outcome.out().lines().filter(line -> line.startsWith("hello-pshmem"))
            .toList(), where);
        final String all = outcome.out() + outcome.err();
        for (final String noise : List.of("log4j", "SLF4J", "Chronicle", "chronicle", "WARNING", "Exception"))
        {
            assertFalse(all.contains(noise), "'" + noise + "' reached the console: " + where);
        }
    }
}
