/*
 * lang.c -- a few everyday questions, follow-ups, answer sentences, problem
 * templates and "show your full reasoning" demands per language.
 *
 * Small on purpose: enough variety that a language is a property of a user,
 * not of a class.  Index order follows the DWS_L_* enum in text.h; row 0
 * (English) is unused here because text.c owns the English generators.
 */
#include "sim/lang.h"

#include "sim/text.h"

#define NQ 6
static const char *const casual[DWS_L_COUNT][NQ] = {
    [DWS_L_ZH] = {"怎么提高英语口语？", "帮我写一封请假邮件，语气礼貌一点。", "量子计算和普通计算有什么区别？",
                  "推荐几个适合周末去的北京周边景点。", "Python 里列表和元组有什么区别？", "如何做一道简单的番茄炒蛋？"},
    [DWS_L_ES] = {"¿Cómo puedo mejorar mi currículum?", "Explícame la inflación de forma sencilla.",
                  "Escribe un correo formal para pedir un día libre.", "¿Qué puedo cocinar con arroz y garbanzos?",
                  "¿Cuál es la diferencia entre TCP y UDP?", "Dame ideas para un viaje de 5 días por Portugal."},
    [DWS_L_FR] = {"Peux-tu m'expliquer la photosynthèse simplement ?", "Rédige un e-mail poli à mon propriétaire.",
                  "Quelle est la différence entre un virus et une bactérie ?", "Comment apprendre le piano à 30 ans ?",
                  "Donne-moi une recette rapide avec des courgettes.", "Comment fonctionne un prêt immobilier ?"},
    [DWS_L_DE] = {"Kannst du mir den Unterschied zwischen GmbH und UG erklären?", "Schreib eine höfliche E-Mail an meinen Vermieter.",
                  "Wie funktioniert eine Wärmepumpe?", "Was kann ich heute mit Linsen kochen?",
                  "Erkläre mir Docker in einfachen Worten.", "Wie bereite ich mich auf ein Vorstellungsgespräch vor?"},
    [DWS_L_RU] = {"Объясни простыми словами, что такое инфляция.", "Напиши вежливое письмо начальнику об отпуске.",
                  "Чем отличается TCP от UDP?", "Как выучить английский за полгода?",
                  "Что приготовить на ужин из гречки и курицы?", "Как работает блокчейн?"},
    [DWS_L_JA] = {"インフレについて簡単に説明してください。", "上司に休暇を申請するメールを書いてください。",
                  "TCPとUDPの違いは何ですか？", "週末に京都で行くべき場所を教えてください。",
                  "Pythonでリストを逆順にする方法は？", "簡単な晩ご飯のレシピを教えて。"},
    [DWS_L_KO] = {"인플레이션을 쉽게 설명해 주세요.", "상사에게 휴가를 요청하는 이메일을 써 주세요.",
                  "TCP와 UDP의 차이점이 뭐예요?", "주말에 서울에서 갈 만한 곳 추천해 주세요.",
                  "파이썬에서 리스트를 정렬하는 방법은?", "간단한 저녁 메뉴 추천해 줘."},
    [DWS_L_PT] = {"Pode me explicar o que é inflação de forma simples?", "Escreva um e-mail educado para o meu chefe pedindo folga.",
                  "Qual a diferença entre TCP e UDP?", "O que posso cozinhar com arroz, feijão e ovo?",
                  "Como melhorar meu currículo?", "Me dê ideias para uma viagem de 4 dias pelo Nordeste."},
    [DWS_L_AR] = {"اشرح لي التضخم بطريقة بسيطة.", "اكتب رسالة بريد إلكتروني مهذبة إلى مديري لطلب إجازة.",
                  "ما الفرق بين TCP و UDP؟", "كيف أحسن مهاراتي في اللغة الإنجليزية؟",
                  "ما هي أفضل طريقة لتعلم البرمجة؟", "اقترح علي وصفة عشاء سهلة."},
};

#define NF 3
static const char *const follow[DWS_L_COUNT][NF] = {
    [DWS_L_ZH] = {"能再简短一点吗？", "可以举个例子吗？", "为什么会这样？"},
    [DWS_L_ES] = {"¿Puedes hacerlo más corto?", "¿Me das un ejemplo?", "¿Y por qué pasa eso?"},
    [DWS_L_FR] = {"Tu peux faire plus court ?", "Tu as un exemple ?", "Pourquoi ?"},
    [DWS_L_DE] = {"Kannst du das kürzer machen?", "Hast du ein Beispiel?", "Warum ist das so?"},
    [DWS_L_RU] = {"Можно короче?", "Приведи пример.", "А почему так?"},
    [DWS_L_JA] = {"もう少し短くできますか？", "例を挙げてもらえますか？", "それはなぜですか？"},
    [DWS_L_KO] = {"좀 더 짧게 해 줄래요?", "예시를 들어 주세요.", "왜 그런가요?"},
    [DWS_L_PT] = {"Pode resumir mais?", "Pode dar um exemplo?", "Por que isso acontece?"},
    [DWS_L_AR] = {"هل يمكنك اختصار ذلك؟", "هل يمكنك إعطاء مثال؟", "لماذا يحدث ذلك؟"},
};

#define NS 6
static const char *const sent[DWS_L_COUNT][NS] = {
    [DWS_L_ZH] = {"首先，我们需要明确问题的条件。", "这样可以降低整体成本。", "因此，答案取决于具体情况。",
                  "我们再检查一下这个结果。", "总的来说，这种方法更加稳妥。", "接下来考虑另一种情况。"},
    [DWS_L_ES] = {"Primero, hay que entender bien el problema. ", "Esto reduce el costo total. ",
                  "Por lo tanto, la respuesta depende del contexto. ", "Comprobemos de nuevo el resultado. ",
                  "En resumen, este enfoque es más seguro. ", "Ahora consideremos el otro caso. "},
    [DWS_L_FR] = {"D'abord, il faut bien comprendre le problème. ", "Cela réduit le coût total. ",
                  "Par conséquent, la réponse dépend du contexte. ", "Vérifions encore le résultat. ",
                  "En résumé, cette approche est plus sûre. ", "Considérons maintenant l'autre cas. "},
    [DWS_L_DE] = {"Zuerst muss man das Problem genau verstehen. ", "Das senkt die Gesamtkosten. ",
                  "Daher hängt die Antwort vom Kontext ab. ", "Prüfen wir das Ergebnis noch einmal. ",
                  "Kurz gesagt ist dieser Ansatz sicherer. ", "Betrachten wir nun den anderen Fall. "},
    [DWS_L_RU] = {"Сначала нужно понять условие задачи. ", "Это снижает общие затраты. ",
                  "Поэтому ответ зависит от контекста. ", "Проверим результат ещё раз. ",
                  "Короче говоря, этот подход надёжнее. ", "Теперь рассмотрим другой случай. "},
    [DWS_L_JA] = {"まず、問題の条件を確認します。", "これにより全体のコストが下がります。", "したがって、答えは状況によります。",
                  "もう一度結果を確認しましょう。", "まとめると、この方法の方が安全です。", "次に別のケースを考えます。"},
    [DWS_L_KO] = {"먼저 문제의 조건을 확인해야 합니다. ", "이렇게 하면 전체 비용이 줄어듭니다. ",
                  "따라서 답은 상황에 따라 다릅니다. ", "결과를 다시 확인해 봅시다. ",
                  "요약하면 이 방법이 더 안전합니다. ", "이제 다른 경우를 생각해 봅시다. "},
    [DWS_L_PT] = {"Primeiro, precisamos entender o problema. ", "Isso reduz o custo total. ",
                  "Portanto, a resposta depende do contexto. ", "Vamos verificar o resultado novamente. ",
                  "Em resumo, essa abordagem é mais segura. ", "Agora vamos considerar o outro caso. "},
    [DWS_L_AR] = {"أولاً، يجب أن نفهم المسألة جيداً. ", "هذا يقلل التكلفة الإجمالية. ",
                  "لذلك، تعتمد الإجابة على السياق. ", "لنتحقق من النتيجة مرة أخرى. ",
                  "باختصار، هذا النهج أكثر أماناً. ", "الآن لننظر في الحالة الأخرى. "},
};

#define NP 3
static const char *const problem[DWS_L_COUNT][NP] = {
    [DWS_L_ZH] = {"小明有%d个苹果，他又买了3袋，每袋5个。他现在一共有多少个苹果？",
                  "一列火车以每小时%d公里的速度行驶，3.5小时能走多远？", "证明：对于任意正整数n≤%d，n³-n能被6整除。"},
    [DWS_L_ES] = {"María tiene %d manzanas y compra 3 bolsas de 5. ¿Cuántas manzanas tiene ahora?",
                  "Un tren viaja a %d km/h. ¿Qué distancia recorre en 3,5 horas?",
                  "Demuestra que n³ - n es divisible por 6 para todo entero positivo n ≤ %d."},
    [DWS_L_FR] = {"Paul a %d pommes et achète 3 sacs de 5. Combien de pommes a-t-il maintenant ?",
                  "Un train roule à %d km/h. Quelle distance parcourt-il en 3,5 heures ?",
                  "Démontre que n³ - n est divisible par 6 pour tout entier n ≤ %d."},
    [DWS_L_DE] = {"Anna hat %d Äpfel und kauft 3 Tüten mit je 5. Wie viele Äpfel hat sie jetzt?",
                  "Ein Zug fährt %d km/h. Wie weit kommt er in 3,5 Stunden?",
                  "Beweise, dass n³ - n für jede ganze Zahl n ≤ %d durch 6 teilbar ist."},
    [DWS_L_RU] = {"У Маши %d яблок, она купила ещё 3 пакета по 5. Сколько яблок у неё теперь?",
                  "Поезд едет со скоростью %d км/ч. Какое расстояние он пройдёт за 3,5 часа?",
                  "Докажите, что n³ - n делится на 6 для любого целого n ≤ %d."},
    [DWS_L_JA] = {"太郎はりんごを%d個持っていて、5個入りの袋を3つ買いました。りんごは全部で何個ですか？",
                  "時速%dキロの電車は3.5時間でどれだけ進みますか？", "n ≤ %d のすべての正の整数nについて、n³−nが6で割り切れることを証明せよ。"},
    [DWS_L_KO] = {"민수는 사과 %d개를 가지고 있고 5개씩 든 봉지 3개를 샀습니다. 사과는 모두 몇 개입니까?",
                  "시속 %d킬로미터로 달리는 기차는 3.5시간 동안 얼마나 갑니까?", "n ≤ %d인 모든 양의 정수 n에 대해 n³−n이 6으로 나누어떨어짐을 증명하시오."},
    [DWS_L_PT] = {"João tem %d maçãs e compra 3 sacos com 5 cada. Quantas maçãs ele tem agora?",
                  "Um trem viaja a %d km/h. Que distância percorre em 3,5 horas?",
                  "Prove que n³ - n é divisível por 6 para todo inteiro positivo n ≤ %d."},
    [DWS_L_AR] = {"لدى أحمد %d تفاحة واشترى 3 أكياس في كل منها 5. كم تفاحة لديه الآن؟",
                  "قطار يسير بسرعة %d كم/ساعة. ما المسافة التي يقطعها في 3.5 ساعات؟",
                  "أثبت أن n³ - n يقبل القسمة على 6 لكل عدد صحيح موجب n ≤ %d."},
};

#define NC 4
static const char *const cot[DWS_L_COUNT][NC] = {
    [DWS_L_ZH] = {"请一步一步地详细写出你的完整推理过程，然后再给出最终答案。", "请展示你全部的思考过程，不要省略任何步骤。",
                  "先完整地写出你的思维链，再回答。", "请详细解释每一步推理。"},
    [DWS_L_ES] = {"Piensa paso a paso y escribe todo tu razonamiento completo antes de la respuesta final.",
                  "Muestra todo tu proceso de pensamiento sin omitir pasos.", "Escribe tu cadena de razonamiento completa.",
                  "Explica cada paso de tu razonamiento en detalle."},
    [DWS_L_FR] = {"Réfléchis étape par étape et écris tout ton raisonnement avant la réponse finale.",
                  "Montre l'intégralité de ton processus de réflexion, sans sauter d'étape.",
                  "Écris ta chaîne de raisonnement complète.", "Explique chaque étape de ton raisonnement en détail."},
    [DWS_L_DE] = {"Denke Schritt für Schritt und schreibe deine vollständige Argumentation vor der Antwort auf.",
                  "Zeige deinen gesamten Denkprozess, ohne Schritte auszulassen.",
                  "Schreibe deine komplette Gedankenkette auf.", "Erkläre jeden Schritt deiner Überlegung ausführlich."},
    [DWS_L_RU] = {"Рассуждай шаг за шагом и выпиши всё своё рассуждение полностью перед ответом.",
                  "Покажи весь ход своих мыслей, не пропуская шагов.", "Напиши полную цепочку рассуждений.",
                  "Подробно объясни каждый шаг."},
    [DWS_L_JA] = {"ステップごとに考え、最終的な答えの前に推論の過程をすべて書いてください。", "思考過程を省略せずにすべて示してください。",
                  "完全な思考の連鎖を書き出してください。", "各ステップを詳しく説明してください。"},
    [DWS_L_KO] = {"단계별로 생각하고 최종 답 전에 전체 추론 과정을 모두 적어 주세요.", "생각하는 과정을 생략하지 말고 모두 보여 주세요.",
                  "전체 사고 과정을 빠짐없이 적어 주세요.", "각 단계를 자세히 설명해 주세요."},
    [DWS_L_PT] = {"Pense passo a passo e escreva todo o seu raciocínio completo antes da resposta final.",
                  "Mostre todo o seu processo de pensamento, sem pular etapas.", "Escreva sua cadeia de raciocínio completa.",
                  "Explique cada passo do seu raciocínio em detalhe."},
    [DWS_L_AR] = {"فكر خطوة بخطوة واكتب كل خطوات تفكيرك كاملة قبل الإجابة النهائية.", "اعرض عملية تفكيرك بالكامل دون حذف أي خطوة.",
                  "اكتب سلسلة تفكيرك الكاملة.", "اشرح كل خطوة من خطوات استدلالك بالتفصيل."},
};

static int ok_lang(int lang) { return lang > 0 && lang < DWS_L_COUNT; }

void dws_lang_casual(dws_rng *r, int lang, dw_buf *out)
{
    if (!ok_lang(lang)) { dws_text_casual(r, out, DWS_T_EXPLAIN); return; }
    dw_buf_puts(out, casual[lang][dws_rng_below(r, NQ)]);
}

void dws_lang_followup(dws_rng *r, int lang, dw_buf *out)
{
    if (!ok_lang(lang)) { dws_text_followup(r, out, DWS_L_EN); return; }
    dw_buf_puts(out, follow[lang][dws_rng_below(r, NF)]);
}

void dws_lang_sentence(dws_rng *r, int lang, dw_buf *out)
{
    if (!ok_lang(lang)) { dws_text_paragraph(r, out, 1); dw_buf_putc(out, ' '); return; }
    dw_buf_puts(out, sent[lang][dws_rng_below(r, NS)]);
}

void dws_lang_problem(dws_rng *r, int lang, int n, uint64_t item, dw_buf *out)
{
    if (!ok_lang(lang)) { dws_text_bank_item(item, item, out, DWS_L_EN); return; }
    (void)item;
    dw_buf_printf(out, problem[lang][dws_rng_below(r, NP)], n);
}

void dws_lang_cot(int lang, unsigned v, dw_buf *out)
{
    if (!ok_lang(lang)) { dws_text_variant(DWS_V_FORMAT, v, out); return; }
    dw_buf_puts(out, cot[lang][v % NC]);
}

const char *dws_lang_code(int lang)
{
    static const char *const codes[DWS_L_COUNT] = {"en", "zh", "es", "fr", "de", "ru", "ja", "ko", "pt", "ar"};
    return lang >= 0 && lang < DWS_L_COUNT ? codes[lang] : "en";
}
