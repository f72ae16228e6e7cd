package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pshmem.api.SharedArray;

/**
 * The array type is checked by the compiler: a {@code float[]} given to a {@link org.pshmem.api.SharedDoubleArray}
 * does not compile, in any of its data-taking methods, while the same calls with {@code double[]} do (so the
 * check would notice an API that took anything).
 */
class TypedArrayCompileTest
{
    private static final String IMPORTS = "import org.pshmem.api.*;\n";

    @TempDir
    Path classes;

    @Test
    void doubleArraysCompile()
    {
        final List<Diagnostic<? extends JavaFileObject>> errors = compile("Good", """
            void use(Communicator comm, SharedDoubleArray shm, SharedArray<?> any) {
                double[] data = new double[6];
                shm.set(data, Region.at(1, 1).size(2, 3), 0);
                shm.set(new double[15], 0);
                shm.assign(data, Region.at(0, 0).size(2, 3));
                shm.copyTo(Region.at(0, 0).size(2, 3), data);
                double[] gathered = comm.allGather(data);
                SharedLongArray longs = SharedArray.ofLongs(comm, 4);
                longs.set(new long[4], 0);
            }
            """);
        assertTrue(errors.isEmpty(), () -> "the control source must compile: " + text(errors));
    }

    @Test
    void aFloatArrayInSetDoesNotCompile()
    {
        expectMismatch("SetRegion", "shm.set(new float[6], Region.at(1, 1).size(2, 3), 0);");
    }

    @Test
    void aFloatArrayInWholeArraySetDoesNotCompile()
    {
        expectMismatch("SetWhole", "shm.set(new float[15], 0);");
    }

    @Test
    void aFloatArrayInAssignDoesNotCompile()
    {
        expectMismatch("Assign", "shm.assign(new float[6], Region.at(1, 1).size(2, 3));");
    }

    @Test
    void aFloatArrayInCopyToDoesNotCompile()
    {
        expectMismatch("CopyTo", "shm.copyTo(Region.at(1, 1).size(2, 3), new float[6]);");
    }

    @Test
    void aGatheredArrayKeepsItsType()
    {
        final List<Diagnostic<? extends JavaFileObject>> errors =
            compile("Gather", "void use(Communicator comm) { float[] wrong = comm.allGather(new double[2]); }");
        assertEquals(1, errors.size(), () -> text(errors));
        final String message = message(errors.get(0));
        assertTrue(message.contains("incompatible") && message.contains("float[]") && message.contains("double[]"),
            message);
    }

    private void expectMismatch(final String name, final String call)
    {
        final List<Diagnostic<? extends JavaFileObject>> errors =
            compile(name, "void use(SharedDoubleArray shm) { " + call + " }");
        assertFalse(errors.isEmpty(), () -> "'" + call + "' compiled");
        assertEquals(1, errors.size(), () -> text(errors));
        final String message = message(errors.get(0));
        assertTrue(message.contains("float[] cannot be converted to double[]"), message);
    }

    /** Compiles one class whose body is {@code body} against pshmem-api; returns its errors. */
    private List<Diagnostic<? extends JavaFileObject>> compile(final String name, final String body)
    {
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests need a JDK, not a JRE");
        final JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///" + name + ".java"),
            JavaFileObject.Kind.SOURCE)
        {
            @Override
            public CharSequence getCharContent(final boolean ignoreEncodingErrors)
            {
                return IMPORTS + "class " + name + " {\n" + body + "\n}\n";
            }
        };
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        final List<String> options = List.of("-proc:none", "-d", classes.toString(), "-classpath", apiClassPath());
        javac.getTask(null, null, diagnostics, options, null, List.of(source)).call();
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
            .collect(Collectors.toList());
    }

    /** Where the pshmem-api classes are: its classes folder in a Maven build, or its jar. */
    private static String apiClassPath()
    {
        try
        {
            return new File(SharedArray.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        }
        catch (final java.net.URISyntaxException ex)
        {
            throw new IllegalStateException("cannot locate the pshmem-api classes", ex);
        }
    }

    private static String message(final Diagnostic<? extends JavaFileObject> diagnostic)
    {
        return diagnostic.getMessage(Locale.ROOT);
    }

    private static String text(final List<Diagnostic<? extends JavaFileObject>> diagnostics)
    {
        return diagnostics.stream().map(TypedArrayCompileTest::message).collect(Collectors.joining("\n"));
    }
}
