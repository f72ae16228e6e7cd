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
        final List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
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
            "help"))
        {
            assertTrue(help.out().lines().anyMatch(line -> line.startsWith("  " + command + " ")), command + ":\n" +
                help.out());
        }
        assertTrue(help.out().contains("exit status: 0 success; 1 a build, test, job or rank failed; 2 bad usage"),
            help.out());
        assertEquals(help.out(), pshmem("help").out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "run", "test", "bench", "daemon", "shm", "build", "docs", "classpath", "help"})
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
    @ValueSource(strings = {"demo", "run", "test", "bench", "daemon", "shm", "build", "docs", "classpath"})
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
            List.of("run", "-np"),
            List.of("run", "-np", "0", "Main"),
            List.of("run", "-np", "2", "--nodes", "3", "Main"),
            List.of("run", "--transport", "carrier-pigeon", "Main"),
            List.of("run", "--device", "smoke", "Main"),
            List.of("run", "--timeout", "soon", "Main"),
            List.of("run", "--transport", "local", "--machines", "hosts", "Main"),
            List.of("run", "--transport", "local", "--shm-dir", "/tmp", "Main"),
            List.of("run", "--transport", "mpj", "--shm-dir", "/nonexistent", "Main"),
            List.of("bench", "-np", "2", "--nodes", "3"),
            List.of("run", "--transport", "mpj", "--listen-address", "10.0.0.1", "Main"),
            List.of("daemon", "extra"),
            List.of("run"),
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
}
