package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./pshmem} command: a help for itself and for every subcommand, documented exit codes, and unknown
 * options rejected with one line naming them, before anything is built or started.
 */
class CommandLineTest
{
    private static final Path SCRIPT = Path.of("..", "pshmem").toAbsolutePath().normalize();

    private record Outcome(int status, String out, String err)
    {
    }

    private static Outcome pshmem(final String... args) throws IOException, InterruptedException
    {
        return pshmem(List.of(), args);
    }

    /** Under PSHMEM_DRY_RUN=1: the command line as the script takes it, and what it would run. */
    private static Outcome dryRun(final String... args) throws IOException, InterruptedException
    {
        return pshmem(List.of("PSHMEM_DRY_RUN=1"), args);
    }

    private static Outcome pshmem(final List<String> environment, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("env"));
        command.addAll(environment);
        command.addAll(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        final Path out = Files.createTempFile("pshmem-cli", ".out");
        final Path err = Files.createTempFile("pshmem-cli", ".err");
        try
        {
            final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "./pshmem " + String.join(" ", args) + " did not end");
            return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void theGeneralHelpListsEveryCommandAndTheExitCodes() throws Exception
    {
        final Outcome help = pshmem("--help");
        assertEquals(0, help.status(), help.err());
        assertEquals("", help.err());
        for (final String command : List.of("demo", "run", "test", "bench", "daemon", "shm", "build", "docs", "classpath",
            "mpj-home", "help"))
        {
            assertTrue(help.out().lines().anyMatch(line -> line.startsWith("  " + command + " ")), command + ":\n" +
                help.out());
        }
        assertTrue(help.out().contains("exit status: 0 success; 1 a build, test, job or rank failed; 2 bad usage"),
            help.out());
        assertEquals(help.out(), pshmem("help").out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "run", "test", "bench", "daemon", "shm", "build", "docs", "classpath", "mpj-home",
        "help"})
    void everyCommandHasAHelpWithItsExitCodes(final String command) throws Exception
    {
        for (final String flag : List.of("--help", "-h"))
        {
            final Outcome help = pshmem(command, flag);
            assertEquals(0, help.status(), command + " " + flag + ": " + help.err());
            assertEquals("", help.err(), command + " " + flag);
            assertTrue(help.out().startsWith("usage: ./pshmem " + command), help.out());
            assertTrue(help.out().contains("exit status: 0 "), help.out());
        }
        if (!command.equals("help"))
        {
            assertEquals(pshmem(command, "--help").out(), pshmem("help", command).out());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "test", "bench", "daemon", "shm", "build", "docs", "classpath", "mpj-home"})
    void anUnknownOptionIsOneLineAndStatus2(final String command) throws Exception
    {
        final Outcome bad = pshmem(command, "--no-such-option");
        assertEquals(2, bad.status(), bad.err());
        assertEquals("", bad.out());
        assertEquals(List.of("pshmem " + command + ": unknown option '--no-such-option' (see ./pshmem " + command +
            " --help)"), bad.err().lines().toList());
    }

    @Test
    void badValuesAndUnknownCommandsAreOneLineAndStatus2() throws Exception
    {
        final List<List<String>> cases = List.of(
            List.of("--no-such-option"),
            List.of("no-such-command"),
            List.of("help", "no-such-command"),
            List.of("run", "--transport", "carrier-pigeon", "Main"),
            List.of("run", "--transport"),
            List.of("run", "-cp"),
            List.of("bench", "-np", "2", "--nodes", "3"),
            List.of("daemon", "extra"),
            List.of("mpj-home", "extra"),
            List.of("demo", "--transport", "carrier-pigeon"),
            List.of("shm", "sweep"),
            List.of("docs", "extra"));
        for (final List<String> args : cases)
        {
            final Outcome bad = pshmem(args.toArray(String[]::new));
            assertEquals(2, bad.status(), args + ": " + bad.err());
            assertEquals("", bad.out(), args.toString());
            assertEquals(1, bad.err().lines().count(), args + ": " + bad.err());
            assertTrue(bad.err().startsWith("pshmem"), bad.err());
        }
    }

    /**
     * run checks only what it uses itself (--transport, -cp) and hands every other option, good or bad, to the
     * launcher of the transport, which alone checks them (LocalLauncherTest, MpjLauncherTest) and reports bad
     * usage in the script's form; the program's class path goes before pshmem's examples, after the library.
     */
    @Test
    void runHandsEveryOtherOptionToTheLauncherUnchecked() throws Exception
    {
        final Outcome local = dryRun("run", "--transport", "local", "-np", "0", "--nodes", "3", "--bogus", "1",
            "-cp", "/app.jar", "app.Main", "a1");
        assertEquals(0, local.status(), local.err());
        assertTrue(local.out().contains(" org.pshmem.local.LocalLauncher -np 0 --nodes 3 --bogus 1 -- app.Main a1 "),
            local.out());
        assertTrue(local.out().matches("(?s).*pshmem-local\\.jar:.*:/app\\.jar:[^ ]*pshmem-tests\\.jar .*"), local.out());
        final Outcome mpj = dryRun("run", "--transport", "mpj", "--device", "smoke", "--timeout", "soon", "app.Main");
        assertEquals(0, mpj.status(), mpj.err());
        assertTrue(mpj.out().matches("(?s).* org\\.pshmem\\.mpj\\.MpjLauncher --device smoke --timeout soon -cp \\S+ -- " +
            "app\\.Main \\n"), mpj.out());
    }

    /**
     * run --transport mpi has no launcher of pshmem's: the script checks the options itself, then builds the mpirun
     * line with what the rank JVMs need (native access, simulated nodes dealt in blocks, the mpi class path).
     */
    @Test
    void runWithTheMpiTransportChecksItsOptionsAndBuildsTheMpirunLine() throws Exception
    {
        final Outcome mpi = dryRun("run", "--transport", "mpi", "-np", "3", "--nodes", "2", "--timeout", "60", "-cp",
            "/app.jar", "app.Main", "a1");
        assertEquals(0, mpi.status(), mpi.err());
        assertTrue(mpi.out().startsWith("pshmem: dry run: mpirun --oversubscribe -np 3 "), mpi.out());
        assertTrue(mpi.out().contains(" --timeout 60 "), mpi.out());
        assertTrue(mpi.out().contains(" --enable-native-access=ALL-UNNAMED "), mpi.out());
        assertTrue(mpi.out().contains(" -Dpshmem.node=simnode0\\,simnode0\\,simnode1 "), mpi.out()); // printf %q
        assertTrue(mpi.out().matches("(?s).* -cp \\S*/pshmem-api\\.jar:\\S*/pshmem-mpi\\.jar:\\S*/pshmem-shm\\.jar" +
            "\\S*:/app\\.jar:\\S*pshmem-tests\\.jar app\\.Main a1 .*"), mpi.out());
        final Outcome demo = dryRun("demo", "--transport", "mpi");
        assertEquals(0, demo.status(), demo.err());
        assertTrue(demo.out().contains(" org.pshmem.examples.ReadmeExample "), demo.out());
        for (final List<String> bad : List.of(List.of("--device", "multicore"), List.of("--machines", "hosts"),
            List.of("-np", "0"), List.of("-np", "2", "--nodes", "3"), List.of("--timeout", "soon"), List.of("--bogus", "1")))
        {
            final List<String> args = new ArrayList<>(List.of("run", "--transport", "mpi"));
            args.addAll(bad);
            args.add("app.Main");
            final Outcome refused = dryRun(args.toArray(String[]::new));
            assertEquals(2, refused.status(), args + ": " + refused.err());
            assertEquals("", refused.out(), args.toString());
            assertEquals(1, refused.err().lines().count(), args + ": " + refused.err());
            assertTrue(refused.err().startsWith("pshmem run: "), refused.err());
        }
    }

    /** One rule picks the transport of run, demo and bench, and every help that names it says the same. */
    /** classpath prints the library and its runtime dependencies, not pshmem's tests and examples. */
    @Test
    void classpathIsTheLibraryAndItsDependenciesOnly() throws Exception
    {
        final Outcome classpath = dryRun("classpath");
        assertEquals(0, classpath.status(), classpath.err());
        final String printed = classpath.out().substring(classpath.out().lastIndexOf(' ') + 1).trim();
        final List<String> entries = List.of(printed.split(":"));
        assertTrue(entries.stream().anyMatch(entry -> entry.endsWith("/pshmem-api/target/pshmem-api.jar")), printed);
        assertTrue(entries.stream().anyMatch(entry -> entry.endsWith("/pshmem-local/target/pshmem-local.jar")), printed);
        assertTrue(entries.stream().anyMatch(entry -> entry.contains("/jffi-")), printed);
        assertTrue(entries.stream().noneMatch(entry -> entry.contains("pshmem-tests")), printed);
    }

    @Test
    void runDemoAndBenchShareOneDefaultTransport() throws Exception
    {
        final String rule = "mpj when it is built, else local";
        assertTrue(pshmem("help").out().contains("run, demo and bench use the mpj transport when it is built"));
        for (final String command : List.of("run", "demo", "bench"))
        {
            assertTrue(pshmem(command, "--help").out().replaceAll("\\s+", " ").contains(rule), command);
        }
        final String launcher = dryRun("run", "Main").out();
        final String demo = dryRun("demo").out();
        final String bench = dryRun("bench").out();
        final boolean mpj = launcher.contains("org.pshmem.mpj.MpjLauncher");
        assertTrue(mpj || launcher.contains("org.pshmem.local.LocalLauncher"), launcher);
        assertEquals(mpj, demo.contains("org.pshmem.mpj.MpjLauncher"), demo);
        assertTrue(bench.contains((mpj ? "mpj" : "local") + " transport"), bench);
    }

    /** Every README section the script's help or a message names, and every README link to a section, exists. */
    @Test
    void everyReadmeSectionTheHelpNamesExists() throws Exception
    {
        final String readme = Files.readString(SCRIPT.resolveSibling("README.md"));
        // The script's help, and messages of the sources (escaped quotes as in Java strings).
        final StringBuilder texts = new StringBuilder(Files.readString(SCRIPT));
        try (java.util.stream.Stream<Path> sources = Files.walk(SCRIPT.getParent()))
        {
            for (final Path source : sources.filter(path -> path.toString().contains("/src/main/java/") &&
                !path.toString().contains("/target/") &&
                path.toString().endsWith(".java")).toList())
            {
                texts.append(Files.readString(source).replace("\\\"", "\""));
            }
        }
        final String script = texts.toString().replaceAll("\\s+", " ");
        final java.util.regex.Matcher reference = java.util.regex.Pattern.compile("README, \"([^\"]+)\"").matcher(script);
        int found = 0;
        while (reference.find())
        {
            found++;
            assertTrue(readme.lines().anyMatch(line -> line.matches("#+ " + java.util.regex.Pattern.quote(reference.group(1)))),
                "./pshmem names README section \"" + reference.group(1) + "\", which README does not have");
        }
        assertTrue(found >= 3, "references found: " + found);
        // README's own links to its sections, too.
        final java.util.Set<String> anchors = readme.lines().filter(line -> line.startsWith("#"))
            .map(line -> line.replaceFirst("^#+ ", "").toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9 -]", "")
                .replace(' ', '-'))
            .collect(java.util.stream.Collectors.toSet());
        final java.util.regex.Matcher link = java.util.regex.Pattern.compile("\\]\\(#([^)]+)\\)").matcher(readme);
        int links = 0;
        while (link.find())
        {
            links++;
            assertTrue(anchors.contains(link.group(1)), "README links to #" + link.group(1) + ", which is no heading");
        }
        assertTrue(links >= 5, "links found: " + links);
    }
}
