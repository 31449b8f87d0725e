package org.adatoken3d.server;

import static org.adatoken3d.server.TestServers.chat;
import static org.adatoken3d.server.TestServers.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.adatoken3d.llava3d.Llava3d;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.WheelInput;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page at {@code /} in headless Chromium, used as a person would: pick a held-out scene and a policy, type the
 * question, read the streamed answer and the kept-token count off the page and the 3D view, and compare them with the
 * question set's answer and with the same request sent to the API directly.
 */
class WebPageTest {
    /** Debian's browser and driver; the properties name others (a system whose packages put them elsewhere). */
    static final Path CHROMIUM = Path.of(System.getProperty("adatoken3d.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("adatoken3d.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOT = Path.of("target", "web-page.png");
    /** The page asks for this many tokens; the direct request must ask the same to be the same request. */
    static final int MAX_TOKENS = 64;

    static JsonNode heldout;
    static Llava3d llava;
    static ChatServer server;
    static WebDriver driver;

    @BeforeAll
    static void start() throws IOException {
        requireBrowser();
        heldout = TestServers.JSON.readTree(TestServers.HELDOUT.toFile());
        llava = TestServers.spatialQa();
        server = ChatServer.start(llava, "spatialqa", TestServers.options(), TestServers.heldoutScenes());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--window-size=1400,1060", "--force-device-scale-factor=1", "--hide-scrollbars");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        driver = new ChromeDriver(service, options);
    }

    /** Chromium and its driver are Debian packages; CI must have them, elsewhere their absence is said and skipped. */
    static void requireBrowser() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(CHROMIUM)) missing.add(CHROMIUM + " (Debian package chromium)");
        if (!Files.isExecutable(CHROMEDRIVER)) missing.add(CHROMEDRIVER + " (Debian package chromium-driver)");
        if (missing.isEmpty()) return;
        String reason = "the web page's browser test needs " + String.join(" and ", missing) + "; scripts/browser-deps.sh installs them";
        String ci = System.getenv("CI");
        if (ci != null && !ci.isEmpty()) fail("CI: " + reason);
        System.err.println("WebPageTest did not run: " + reason);
        Assumptions.abort(reason);
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (server != null) server.close();
        if (llava != null) llava.close();
    }

    @Test
    void asksAHeldOutQuestionAndShowsTheAnswerAndTheKeptTokens() throws IOException {
        // A colour question: the answer is a word the page must show exactly as the question set has it.
        JsonNode q = question("colour", 0);
        int scene = q.get("scene").asInt();
        int tokens = heldout.get("scenes").get(scene).get("tokens").asInt();
        openPage();
        chooseScene(scene, tokens);
        choosePolicy("auto", null, "auto");
        ask(q.get("question").asText());

        assertEquals(q.get("answer").asText(), text("answer").strip(), "the streamed answer to '" + q.get("question").asText() + "'");
        JsonNode api = direct(q.get("question").asText(), scene, "auto");
        int kept = Integer.parseInt(text("kept-count"));
        assertEquals(tokens, Integer.parseInt(text("total-count")));
        assertEquals(api.at("/adatoken/kept").asInt(), kept, "the page shows the kept count the API reports for the same request");
        assertEquals(api.at("/adatoken/kept_indices").size(), kept);
        assertTrue(kept < tokens, "auto prunes: kept " + kept + " of " + tokens);
        assertEquals(api.at("/adatoken/policy").asText(), text("policy-applied"));
        assertView(tokens, kept);
        String flops = text("flops-share");
        assertTrue(flops.matches("(?s)\\d+\\.\\d% of unpruned\\s+[0-9.]+ of [0-9.]+ GFLOP"), flops);
        assertEquals(100 * api.at("/adatoken/prefill_flops_share").asDouble(), Double.parseDouble(flops.substring(0, flops.indexOf('%'))), 0.051, flops);
        assertEquals(1, driver.findElements(By.cssSelector("#history tbody tr")).size());

        screenshot();

        WebElement canvas = driver.findElement(By.id("view"));
        String yaw = canvas.getDomAttribute("data-yaw");
        new Actions(driver).clickAndHold(canvas).moveByOffset(90, 0).release().perform();
        waitFor(d -> !yaw.equals(canvas.getDomAttribute("data-yaw")), "dragging rotates the view");
        new Actions(driver).scrollFromOrigin(WheelInput.ScrollOrigin.fromElement(canvas), 0, -400).perform();
        waitFor(d -> Double.parseDouble(canvas.getDomAttribute("data-zoom")) > 1, "the wheel zooms in");
        assertEquals(String.valueOf(kept), canvas.getDomAttribute("data-kept"), "rotating keeps the marking");
        assertNoConsoleErrors();
    }

    @Test
    void aTauTypedIntoThePolicyFieldIsWhatTheRequestPrunesWith() {
        JsonNode q = question("left", 2);
        int scene = q.get("scene").asInt();
        int tokens = heldout.get("scenes").get(scene).get("tokens").asInt();
        openPage();
        chooseScene(scene, tokens);
        choosePolicy("tau", "0.2", "tau=0.2");
        ask(q.get("question").asText());

        JsonNode api = direct(q.get("question").asText(), scene, "tau=0.2");
        assertEquals(api.at("/choices/0/message/content").asText().strip(), text("answer").strip(), "the page streams the API's answer");
        int kept = Integer.parseInt(text("kept-count"));
        assertEquals(api.at("/adatoken/kept").asInt(), kept);
        assertTrue(kept < tokens, "tau=0.2 prunes: kept " + kept + " of " + tokens);
        assertTrue(api.at("/adatoken/policy").asText().startsWith("tau=0.2,"), api.at("/adatoken").toString());
        assertView(tokens, kept);
        assertNoConsoleErrors();
    }

    /** The whole page, the window grown to its height first (a screenshot holds only what the window shows). */
    static void screenshot() throws IOException {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        long page = (Long) js.executeScript("return document.documentElement.scrollHeight");
        long chrome = (Long) js.executeScript("return window.outerHeight - window.innerHeight");
        Dimension before = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(before.getWidth(), (int) (page + chrome)));
        // Two animation frames: the view redraws for its new size before the picture is taken.
        js.executeAsyncScript("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(done));");
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        driver.manage().window().setSize(before);
    }

    /** The n-th held-out question of a type, as the question set has it. */
    static JsonNode question(String type, int n) {
        int seen = 0;
        for (JsonNode q : heldout.get("questions")) {
            if (q.get("type").asText().equals(type) && seen++ == n) return q;
        }
        throw new AssertionError("the held-out set has no " + type + " question number " + n);
    }

    void openPage() {
        driver.get("http://127.0.0.1:" + server.port() + "/");
        waitFor(d -> "ready".equals(status()) || "error".equals(status()), "the page loads the scene list");
        assertEquals("ready", status(), text("status"));
        assertEquals("spatialqa", text("model"));
    }

    void chooseScene(int scene, int tokens) {
        new Select(driver.findElement(By.id("scene"))).selectByValue("heldout-" + scene);
        WebElement canvas = driver.findElement(By.id("view"));
        waitFor(d -> String.valueOf(tokens).equals(canvas.getDomAttribute("data-points")), "the view draws the scene's " + tokens + " tokens");
        assertEquals(tokens + " spatial tokens.", text("scene-info"));
    }

    void choosePolicy(String kind, String value, String spec) {
        new Select(driver.findElement(By.id("policy"))).selectByValue(kind);
        WebElement field = driver.findElement(By.id("policy-value"));
        if (value != null) {
            field.clear();
            field.sendKeys(value);
        }
        assertEquals(spec, driver.findElement(By.id("prune")).getDomProperty("value"), "the prune field follows the selector");
    }

    void ask(String question) {
        WebElement box = driver.findElement(By.id("question"));
        box.clear();
        box.sendKeys(question);
        driver.findElement(By.id("ask")).click();
        new WebDriverWait(driver, Duration.ofMinutes(3)).withMessage("the answer finishes streaming")
                .until(d -> "done".equals(status()) || "error".equals(status()));
        assertEquals("done", status(), "status: " + text("status"));
    }

    /** The same request as the page's, sent to the API without the page and without streaming. */
    static JsonNode direct(String question, int scene, String prune) {
        TestServers.Reply r = post(server, "/v1/chat/completions", chat(question, "\"scene\":\"heldout-" + scene + "\",\"prune\":\"" + prune
                + "\",\"max_tokens\":" + MAX_TOKENS + ",\"return_keep_set\":true"));
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    /** The canvas drew every token, kept ones marked, and the kept colour is really on it. */
    void assertView(int tokens, int kept) {
        WebElement canvas = driver.findElement(By.id("view"));
        waitFor(d -> String.valueOf(kept).equals(canvas.getDomAttribute("data-kept")), "the view marks " + kept + " kept tokens");
        assertEquals(String.valueOf(tokens - kept), canvas.getDomAttribute("data-pruned"));
        long keptPixels = (Long) ((JavascriptExecutor) driver).executeScript("""
                const c = document.getElementById('view'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 0; i < d.length; i += 4) if (d[i] === 232 && d[i + 1] === 89 && d[i + 2] === 12) n++;
                return n;""");
        assertTrue(keptPixels > 10L * kept, "kept tokens are drawn in the kept colour: " + keptPixels + " pixels for " + kept + " tokens");
    }

    /** Chromium's console: a script error or a Content-Security-Policy violation is a broken page. */
    void assertNoConsoleErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) errors.add(e.getMessage());
        }
        assertEquals(List.of(), errors, "console errors");
    }

    String status() {
        return driver.findElement(By.id("status")).getDomAttribute("data-state");
    }

    String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    void waitFor(java.util.function.Function<WebDriver, Boolean> condition, String what) {
        new WebDriverWait(driver, Duration.ofSeconds(30)).withMessage(what).until(condition);
    }
}
