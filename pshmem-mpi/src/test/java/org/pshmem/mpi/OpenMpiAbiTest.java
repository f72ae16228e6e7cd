package org.pshmem.mpi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every value of {@link OpenMpiAbi} against the installed {@code mpi.h}: compiles {@code src/test/c/mpi_constants.c}
 * with {@code mpicc} and compares what it prints. Handles are compared by the name of the library symbol at the
 * handle's address (the C program asks {@code dladdr}), so a handle bound to the wrong symbol fails here.
 * Needs the MPI headers (Debian: {@code libopenmpi-dev}); without them this test fails, saying so.
 */
class OpenMpiAbiTest
{
    private static Map<String, String> header;

    @BeforeAll
    static void compileAndRunChecker() throws IOException, InterruptedException
    {
        final Path dir = MpiRun.workDir();
        final Path program = dir.resolve("mpi_constants");
        final String source = MpiRun.property("pshmem.test.mpiCheckerSource");
        final String compiled = run(List.of("mpicc", "-o", program.toString(), source), dir);
        header = new HashMap<>();
        for (final String line : run(List.of(program.toString()), dir).split("\n"))
        {
            final int eq = line.indexOf('=');
            if (eq > 0)
            {
                header.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        if (header.isEmpty())
        {
            throw new AssertionError("the checker printed nothing; mpicc said: " + compiled);
        }
    }

    private static String run(final List<String> command, final Path dir) throws IOException, InterruptedException
    {
        final Path output = Files.createTempFile(dir, "checker", ".out");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
            .start();
        if (!process.waitFor(120, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within 120 s");
        }
        final String text = Files.readString(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0)
        {
            throw new AssertionError(command + " failed with exit code " + process.exitValue()
                + " (to compile it, install the MPI headers, e.g. Debian's libopenmpi-dev):\n" + text);
        }
        return text;
    }

    private static void same(final String name, final Object ours)
    {
        assertEquals(header.get(name), String.valueOf(ours), name + " in mpi.h and in OpenMpiAbi");
    }

    @Test
    void integerConstants()
    {
        same("MPI_SUCCESS", OpenMpiAbi.SUCCESS);
        same("MPI_ANY_SOURCE", OpenMpiAbi.ANY_SOURCE);
        same("MPI_ANY_TAG", OpenMpiAbi.ANY_TAG);
        same("MPI_PROC_NULL", OpenMpiAbi.PROC_NULL);
        same("MPI_UNDEFINED", OpenMpiAbi.UNDEFINED);
        same("MPI_COMM_TYPE_SHARED", OpenMpiAbi.COMM_TYPE_SHARED);
        same("MPI_MAX_ERROR_STRING", OpenMpiAbi.MAX_ERROR_STRING);
        same("MPI_MAX_LIBRARY_VERSION_STRING", OpenMpiAbi.MAX_LIBRARY_VERSION_STRING);
    }

    @Test
    void threadLevels()
    {
        for (final ThreadLevel level : ThreadLevel.values())
        {
            same("MPI_THREAD_" + level.name(), level.code());
        }
    }

    @Test
    void statusLayout()
    {
        same("sizeof(MPI_Status)", OpenMpiAbi.STATUS.byteSize());
        same("offsetof(MPI_SOURCE)", OpenMpiAbi.STATUS_SOURCE);
        same("offsetof(MPI_TAG)", OpenMpiAbi.STATUS_TAG);
        same("offsetof(MPI_ERROR)", OpenMpiAbi.STATUS_ERROR);
    }

    @Test
    void handlesArePointers()
    {
        // Every handle is passed as an address (ValueLayout.ADDRESS).
        final long pointer = java.lang.foreign.ValueLayout.ADDRESS.byteSize();
        for (final String type : List.of("MPI_Comm", "MPI_Datatype", "MPI_Op", "MPI_Request", "MPI_Info",
            "MPI_Errhandler"))
        {
            same("sizeof(" + type + ")", pointer);
        }
    }

    @Test
    void handleSymbols()
    {
        same("MPI_COMM_WORLD", OpenMpiAbi.COMM_WORLD);
        same("MPI_COMM_SELF", OpenMpiAbi.COMM_SELF);
        same("MPI_COMM_NULL", OpenMpiAbi.COMM_NULL);
        same("MPI_INFO_NULL", OpenMpiAbi.INFO_NULL);
        same("MPI_REQUEST_NULL", OpenMpiAbi.REQUEST_NULL);
        same("MPI_ERRORS_RETURN", OpenMpiAbi.ERRORS_RETURN);
        same("MPI_INT8_T", OpenMpiAbi.symbol(MpiDatatype.BYTE));
        same("MPI_INT16_T", OpenMpiAbi.symbol(MpiDatatype.SHORT));
        same("MPI_INT32_T", OpenMpiAbi.symbol(MpiDatatype.INT));
        same("MPI_INT64_T", OpenMpiAbi.symbol(MpiDatatype.LONG));
        same("MPI_FLOAT", OpenMpiAbi.symbol(MpiDatatype.FLOAT));
        same("MPI_DOUBLE", OpenMpiAbi.symbol(MpiDatatype.DOUBLE));
        same("MPI_SUM", OpenMpiAbi.symbol(MpiOp.SUM));
        same("MPI_MIN", OpenMpiAbi.symbol(MpiOp.MIN));
        same("MPI_MAX", OpenMpiAbi.symbol(MpiOp.MAX));
    }
}
